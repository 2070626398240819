import { randomUUID } from 'node:crypto';
import type { RunOutcome, RunUsage } from '../agents/run-service.js';
import { isChatCompletionRequest, type ChatCompletion, type ChatCompletionChunk } from '../../protocol/http/openai.js';
import { resolveTarget } from './agent-target.js';
import type { HttpApiDeps } from './deps.js';
import { bodyFailure, header, json, openAiError, readJsonBody } from './io.js';
import { promptOfChat } from './prompt.js';
import { NON_STREAM_WAIT_MS, followRun, outcomeFailure, outcomeMessage, startHttpRun } from './run-follow.js';
import { sseResponse } from './sse.js';

/** Body limit of `/v1/chat/completions` (PROTOCOL.md §9.3). */
export const CHAT_BODY_LIMIT = 20 * 1024 * 1024;

/**
 * `POST /v1/chat/completions`: one agent turn per request.
 *
 *   client ──POST──▶ route ──start──▶ RunService ──deltas──▶ route ──SSE chunks──▶ client
 *                     │ (stream:false) wait(runId) ─────────────▶ one JSON body
 *
 * Streamed: a role chunk at once, one chunk per delta, a `finish_reason:"stop"` chunk, the usage
 * chunk when `stream_options.include_usage`, then `[DONE]`. A client that disconnects only
 * unsubscribes; the run finishes and is journaled regardless.
 */
export function chatCompletionsRoute(deps: HttpApiDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await readJsonBody(request, CHAT_BODY_LIMIT);
    if (!body.ok) return bodyFailure(body.reason);
    if (!isChatCompletionRequest(body.value)) {
      return openAiError(400, `Invalid request body: ${isChatCompletionRequest.lastError()}`, 'invalid_request_error');
    }
    const params = body.value;
    const runs = deps.runs();
    const target = resolveTarget(request, { model: params.model, user: params.user, prefix: 'openai' }, runs.agentIds());
    if (!target.ok) return openAiError(400, target.message, 'invalid_request_error');
    const prompt = promptOfChat(params.messages);
    if (!prompt.message) return openAiError(400, 'Missing user message in `messages`.', 'invalid_request_error');

    const id = `chatcmpl_${randomUUID()}`;
    const model = params.model ?? 'openclaw';
    const override = header(request, 'x-openclaw-model');
    const runId = await startHttpRun(
      runs,
      deps.services.logger,
      { agentId: target.agentId, sessionKey: target.sessionKey, ...prompt, id, modelOverride: override },
      'chat completion',
    );
    if (runId instanceof Response) return runId;
    const created = Math.floor(deps.services.now() / 1000);

    if (params.stream !== true) {
      const outcome = await runs.wait(runId, NON_STREAM_WAIT_MS);
      if (!outcome) return openAiError(504, 'agent run did not finish in time', 'api_error');
      const failure = outcomeFailure(outcome);
      if (failure) return failure;
      const completion: ChatCompletion = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: outcome.text }, finish_reason: 'stop' }],
        usage: usageOf(outcome.usage),
      };
      return json(completion);
    }

    const includeUsage = params.stream_options?.include_usage === true;
    const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | null): ChatCompletionChunk => ({
      id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }],
    });
    return sseResponse(request, (sink) => {
      sink.send(chunk({ role: 'assistant' }, null));
      return followRun(runs, runId, {
        delta: (content) => sink.send(chunk({ content }, null)),
        end: (outcome: RunOutcome) => {
          if (outcome.status === 'ok' || outcome.status === 'aborted') {
            sink.send(chunk({}, 'stop'));
            if (includeUsage) sink.send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(outcome.usage) });
          } else {
            // OpenAI SDKs raise an APIError for a `data:` object with an `error` key.
            sink.send({ error: { message: outcomeMessage(outcome), type: 'api_error' } });
          }
          sink.finish();
        },
      });
    });
  };
}

/** OpenAI usage from a run's; zeros when the provider reported none. */
export function usageOf(usage: RunUsage | undefined): ChatCompletion['usage'] {
  return { prompt_tokens: usage?.input ?? 0, completion_tokens: usage?.output ?? 0, total_tokens: usage?.total ?? 0 };
}
