import { randomUUID } from 'node:crypto';
import type { RunOutcome, RunUsage } from '../agents/run-service.js';
import {
  isCreateResponseRequest, type OutputMessage, type OutputText, type ResponseResource, type ResponseStreamEvent, type ResponseUsage,
} from '../../protocol/http/open-responses.js';
import type { FactData } from '../../protocol/facts.js';
import { runStream } from '../../protocol/run-facts.js';
import type { Journal } from '../../store/journal.js';
import { resolveTarget } from './agent-target.js';
import { CHAT_BODY_LIMIT } from './chat-completions-route.js';
import type { HttpApiDeps } from './deps.js';
import { bodyFailure, header, json, openAiError, readJsonBody } from './io.js';
import { promptOfResponseInput } from './prompt.js';
import { NON_STREAM_WAIT_MS, followRun, outcomeMessage, startHttpRun } from './run-follow.js';
import { sseResponse, type SseSink } from './sse.js';

/**
 * `POST /v1/responses`: one agent turn per request, as a response resource.
 *
 *   client ──POST──▶ route ──start──▶ RunService
 *   stream: response.created → response.in_progress → output_item.added → content_part.added
 *           → output_text.delta… → output_text.done → content_part.done → output_item.done
 *           → response.completed | response.incomplete | response.failed → [DONE]
 *
 * `previous_response_id` continues the session of an earlier response. A client that
 * disconnects only unsubscribes; the run goes on.
 */
export function responsesRoute(deps: HttpApiDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await readJsonBody(request, CHAT_BODY_LIMIT);
    if (!body.ok) return bodyFailure(body.reason);
    if (!isCreateResponseRequest(body.value)) {
      return openAiError(400, `Invalid request body: ${isCreateResponseRequest.lastError()}`, 'invalid_request_error');
    }
    const params = body.value;
    const runs = deps.runs();
    const previousId = params.previous_response_id ?? undefined;
    const previousSession = previousId ? sessionOfResponse(deps.services.journal, previousId) : undefined;
    if (previousId && !previousSession) {
      return openAiError(400, `Previous response with id '${previousId}' not found.`, 'invalid_request_error');
    }
    const target = resolveTarget(
      request,
      { model: params.model, user: params.user, prefix: 'openresponses', sessionKey: previousSession },
      runs.agentIds(),
    );
    if (!target.ok) return openAiError(400, target.message, 'invalid_request_error');
    const prompt = promptOfResponseInput(params.input, params.instructions);
    if (!prompt.message) return openAiError(400, 'Missing user message in `input`.', 'invalid_request_error');

    const id = `resp_${randomUUID()}`;
    const override = header(request, 'x-openclaw-model');
    const runId = await startHttpRun(
      runs,
      deps.services.logger,
      { agentId: target.agentId, sessionKey: target.sessionKey, ...prompt, id, modelOverride: override },
      'response',
    );
    if (runId instanceof Response) return runId;
    const shape = new ResponseShape(id, params.model ?? 'openclaw', Math.floor(deps.services.now() / 1000), previousId ?? null, params.user ?? null);

    if (params.stream !== true) {
      const outcome = await runs.wait(runId, NON_STREAM_WAIT_MS);
      if (!outcome) return openAiError(504, 'agent run did not finish in time', 'api_error');
      if (outcome.status === 'error' || outcome.status === 'timeout') {
        return openAiError(outcome.status === 'timeout' ? 504 : 502, outcomeMessage(outcome), 'api_error');
      }
      return json(shape.final(outcome));
    }
    return sseResponse(request, (sink) => streamResponse(sink, shape, (follower) => followRun(runs, runId, follower)));
  };
}

function streamResponse(
  sink: SseSink,
  shape: ResponseShape,
  follow: (follower: { delta(d: string): void; end(o: RunOutcome): void }) => () => void,
): () => void {
  let sequence = 0;
  const emit = (event: DistributiveOmit<ResponseStreamEvent, 'sequence_number'>) => {
    sink.send({ ...event, sequence_number: sequence++ }, event.type);
  };
  const at = { output_index: 0, item_id: shape.messageId, content_index: 0 };
  emit({ type: 'response.created', response: shape.resource('in_progress', []) });
  emit({ type: 'response.in_progress', response: shape.resource('in_progress', []) });
  emit({ type: 'response.output_item.added', output_index: 0, item: shape.message('in_progress', []) });
  emit({ type: 'response.content_part.added', ...at, part: text('') });
  let streamed = '';
  return follow({
    delta(delta) {
      streamed += delta;
      emit({ type: 'response.output_text.delta', ...at, delta, logprobs: [] });
    },
    end(outcome) {
      const full = outcome.status === 'ok' ? outcome.text || streamed : streamed;
      const status = outcome.status === 'ok' ? 'completed' : 'incomplete';
      emit({ type: 'response.output_text.done', ...at, text: full, logprobs: [] });
      emit({ type: 'response.content_part.done', ...at, part: text(full) });
      emit({ type: 'response.output_item.done', output_index: 0, item: shape.message(status, [text(full)]) });
      emit({ type: terminalEvent(outcome), response: shape.final(outcome, full) });
      sink.finish();
    },
  });
}

/**
 * The session an earlier response ran in, from its run's `run.accepted` fact (the response id is
 * the run's idempotency key, hence its run id), so `previous_response_id` survives restarts.
 */
function sessionOfResponse(journal: Journal, responseId: string): string | undefined {
  const first = journal.readStream(runStream(responseId), 0, 1)[0];
  return first?.type === 'run.accepted' ? (first.data as FactData<'run.accepted'>).sessionKey : undefined;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const text = (value: string): OutputText => ({ type: 'output_text', text: value, annotations: [] });

function terminalEvent(outcome: RunOutcome): 'response.completed' | 'response.incomplete' | 'response.failed' {
  if (outcome.status === 'ok') return 'response.completed';
  return outcome.status === 'aborted' ? 'response.incomplete' : 'response.failed';
}

/** Builds the response resource of one request in each of its states. */
class ResponseShape {
  readonly messageId: string;

  constructor(
    readonly id: string,
    readonly model: string,
    readonly createdAt: number,
    readonly previousResponseId: string | null,
    readonly user: string | null,
  ) {
    this.messageId = `msg_${id.slice('resp_'.length)}`;
  }

  message(status: OutputMessage['status'], content: OutputText[]): OutputMessage {
    return { type: 'message', id: this.messageId, role: 'assistant', content, phase: 'final_answer', status };
  }

  resource(status: ResponseResource['status'], output: OutputMessage[], extra: Partial<ResponseResource> = {}): ResponseResource {
    return {
      id: this.id, object: 'response', created_at: this.createdAt, status, model: this.model, output,
      usage: null, error: null, incomplete_details: null, previous_response_id: this.previousResponseId, user: this.user, ...extra,
    };
  }

  /** The resource once the run ended; `text` defaults to the run's full text. */
  final(outcome: RunOutcome, text_ = outcome.text): ResponseResource {
    const usage = usageOf(outcome.usage);
    if (outcome.status === 'ok') return this.resource('completed', [this.message('completed', [text(text_)])], { usage });
    if (outcome.status === 'aborted') {
      return this.resource('incomplete', [this.message('incomplete', [text(text_)])], { usage, incomplete_details: { reason: 'interrupted' } });
    }
    const code = outcome.status === 'timeout' ? 'timeout' : (outcome.error?.code ?? 'server_error');
    return this.resource('failed', text_ ? [this.message('incomplete', [text(text_)])] : [], { usage, error: { code, message: outcomeMessage(outcome) } });
  }
}

function usageOf(usage: RunUsage | undefined): ResponseUsage {
  return {
    input_tokens: usage?.input ?? 0,
    output_tokens: usage?.output ?? 0,
    total_tokens: usage?.total ?? 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}
