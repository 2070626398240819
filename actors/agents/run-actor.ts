import { createActor, fromCallback, fromPromise, type Actor, type EventObject, type InspectionEvent, type Observer } from 'xstate';
import { agentRunMachine, type ModelEvent, type ModelTurnInput, type ToolCall, type ToolResult } from '../../machines/agent-run.js';
import { runStream, type RunError } from '../../protocol/run-facts.js';
import type { Journal } from '../../store/journal.js';
import { readTranscript } from '../../store/transcript.js';
import type { Logger } from '../logs/logger.js';
import { sessionStream } from '../gateway/methods/context.js';
import type { GatewayTools } from './gateway-tools.js';
import { GATEWAY_TOOL_SPECS } from './gateway-tools.js';
import type { ModelChoice } from './providers/registry.js';
import { ProviderError, type ModelMessage } from './providers/types.js';
import type { SessionLanes } from './session-lanes.js';

/** What a run actor needs from the agent-runs service. */
export interface RunActorDeps {
  readonly journal: Journal;
  readonly logger: Logger;
  readonly lanes: SessionLanes;
  readonly tools: GatewayTools;
  /** The session id of `sessionKey`, journaling `session.created` the first time. */
  sessionIdFor(sessionKey: string, agentId: string): string;
  /** Inspector hook while someone watches (GatewayServices.inspectOptions). */
  inspectOptions(): { inspect?: Observer<InspectionEvent> };
}

/** One run to drive. */
export interface RunActorInput {
  readonly runId: string;
  readonly sessionKey: string;
  readonly agentId: string;
  readonly message: string;
  readonly timeoutMs: number;
  readonly maxToolRounds: number;
  readonly choice: ModelChoice;
  readonly system: string;
}

/** Transcript messages given to the model as context (oldest dropped first). */
const HISTORY_MESSAGES = 40;

/** The conversation of one model call: earlier turns of the session, this message, tool rounds. */
function conversation(deps: RunActorDeps, run: RunActorInput, turn: ModelTurnInput): ModelMessage[] {
  const transcript = readTranscript(deps.journal, sessionStream(run.sessionKey), { keep: HISTORY_MESSAGES + 2 });
  const history: ModelMessage[] = transcript.messages
    .filter((m) => m.runId !== run.runId)
    .slice(-HISTORY_MESSAGES)
    .map((m) => (m.role === 'user' ? { role: 'user', text: m.text } : { role: 'assistant', text: m.text }));
  const messages: ModelMessage[] = [...history, { role: 'user', text: run.message }];
  for (const exchange of turn.exchanges) {
    messages.push({ role: 'assistant', text: exchange.text, toolCalls: exchange.calls });
    for (const result of exchange.results) messages.push({ role: 'tool', toolCallId: result.toolCallId, name: result.name, result: result.result });
  }
  return messages;
}

/** A thrown provider failure as the journaled error. */
function runErrorOf(error: unknown, provider: string): RunError {
  if (error instanceof ProviderError) return error.toRunError(provider);
  const message = error instanceof Error ? error.message : String(error);
  return { key: 'PROVIDER_FAILED', code: 'UNAVAILABLE', message: `${provider}: ${message || 'provider failed'}`, kind: 'unknown' };
}

/**
 * Starts the actor of one accepted run: the agent-run machine provided with the journal, the
 * session lane, the model provider and the gateway tools. It ends on its own; `abort.requested`
 * ends it early.
 */
export function startRunActor(deps: RunActorDeps, run: RunActorInput): Actor<typeof agentRunMachine> {
  const { journal, logger } = deps;
  const append = (stream: string, what: string, facts: Parameters<Journal['append']>[1]) => {
    if (facts.length === 0) return;
    journal.append(stream, facts).then(
      (result) => {
        if (!result.ok) logger.error(`run ${run.runId}: ${what} refused`, { reason: result.reason });
      },
      (error: unknown) => logger.error(`run ${run.runId}: could not journal ${what}`, { error: String(error) }),
    );
  };
  let actor: Actor<typeof agentRunMachine> | undefined;
  const logic = agentRunMachine.provide({
    actions: {
      appendRunFacts: (_, params) => append(runStream(run.runId), 'run facts', params.facts),
      appendTranscript: (_, params) => {
        if (params === null) return;
        append(sessionStream(run.sessionKey), 'a transcript message', [
          { type: 'session.message.appended', data: { role: params.role, text: params.text, runId: run.runId, ...(params.stopReason ? { stopReason: params.stopReason } : {}) } },
        ]);
      },
      requestLane: () =>
        deps.lanes.request(run.sessionKey, run.runId, () => {
          if (actor?.getSnapshot().status !== 'active') {
            deps.lanes.release(run.sessionKey, run.runId);
            return;
          }
          actor.send({ type: 'lane.granted', sessionId: deps.sessionIdFor(run.sessionKey, run.agentId) });
        }),
      releaseLane: () => deps.lanes.release(run.sessionKey, run.runId),
    },
    actors: {
      modelTurn: fromCallback<EventObject, ModelTurnInput>(({ input, sendBack }) => {
        const controller = new AbortController();
        const send = (event: ModelEvent) => {
          if (!controller.signal.aborted) sendBack(event);
        };
        const { provider, model } = run.choice;
        void (async () => {
          const request = { model, system: run.system, messages: conversation(deps, run, input), tools: GATEWAY_TOOL_SPECS };
          let done = false;
          for await (const chunk of provider.stream(request, controller.signal)) {
            if (controller.signal.aborted) return;
            if (chunk.type === 'delta') send({ type: 'model.delta', delta: chunk.text });
            else if (chunk.type === 'tool_call') send({ type: 'model.toolCall', call: chunk.call });
            else if (chunk.type === 'usage') send({ type: 'model.usage', usage: chunk.usage });
            else {
              done = true;
              send({ type: 'model.done', stopReason: chunk.stopReason });
            }
          }
          if (!done) send({ type: 'model.done', stopReason: 'stop' });
        })().catch((error: unknown) => send({ type: 'model.failed', error: runErrorOf(error, provider.name) }));
        return () => controller.abort();
      }),
      toolCalls: fromPromise<ToolResult[], { runId: string; calls: readonly ToolCall[] }>(async ({ input }) =>
        input.calls.map((call) => deps.tools.run(call, { runId: input.runId, sessionKey: run.sessionKey })),
      ),
    },
  });
  actor = createActor(logic, {
    id: `run:${run.runId}`,
    input: { runId: run.runId, message: run.message, timeoutMs: run.timeoutMs, maxToolRounds: run.maxToolRounds },
    ...deps.inspectOptions(),
  });
  actor.start();
  return actor;
}
