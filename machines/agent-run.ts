import { setup, assign, fromCallback, fromPromise, type EventObject } from 'xstate';
import type { Fact } from '../protocol/facts.js';
import type { RunError, RunUsage } from '../protocol/run-facts.js';

/*
 * One agent run (DESIGN.md "Agent runs"). The run is journaled as `run.accepted` before this
 * actor exists; every later fact is named here and appended by actors/agents/run-actor.ts:
 *
 *   caller            agent-run machine                         journal run:<id> / session:<key>
 *     | start ─────>  live.accepted: requestLane
 *     |               (lane.granted) ─────────────────────────> run.started; user message
 *     |               live.running.streaming: modelTurn
 *     |                 model.delta ──────────────────────────> run.delta (×n)
 *     |                 model.toolCall / model.usage ─────────> run.tool.called / run.usage
 *     |                 model.done + tool calls → callingTools ─> run.tool.completed → streaming
 *     |                 model.done ───────────────────────────> run.completed; assistant message → ok
 *     |                 model.failed ─────────────────────────> run.failed → error
 *     |               after runTimeout ───────────────────────> run.timedOut → timeout
 *     | abort ──────> abort.requested ────────────────────────> run.aborted → aborted
 *
 * The final reply, events and `agent.wait` are derived from the committed facts, never from
 * this machine's state, so they only ever report what is journaled.
 */

/** A tool call the model asked for. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text of the arguments, as the model produced it. */
  readonly arguments: string;
}

/** What a gateway tool answered. */
export interface ToolResult {
  readonly toolCallId: string;
  readonly name: string;
  readonly result: string;
  readonly isError: boolean;
}

/** One model round that ended in tool calls, with their results (fed back to the next round). */
export interface ToolExchange {
  readonly text: string;
  readonly calls: readonly ToolCall[];
  readonly results: readonly ToolResult[];
}

/** What a run is given when its actor starts. */
export interface AgentRunInput {
  readonly runId: string;
  readonly message: string;
  readonly timeoutMs: number;
  readonly maxToolRounds: number;
}

export interface AgentRunContext extends AgentRunInput {
  readonly sessionId: string | null;
  /** Assistant text so far (the fold of every `run.delta`). */
  readonly text: string;
  /** Text of the current model round. */
  readonly roundText: string;
  readonly usage: RunUsage;
  readonly round: number;
  /** Tool calls requested by the current round. */
  readonly toolCalls: readonly ToolCall[];
  readonly exchanges: readonly ToolExchange[];
}

/** What the model turn actor reports. */
export type ModelEvent =
  | { type: 'model.delta'; delta: string }
  | { type: 'model.toolCall'; call: ToolCall }
  | { type: 'model.usage'; usage: RunUsage }
  | { type: 'model.done'; stopReason: string }
  | { type: 'model.failed'; error: RunError };

export type AgentRunEvent =
  | ModelEvent
  | { type: 'lane.granted'; sessionId: string }
  | { type: 'abort.requested'; reason: string };

/** Input of one model call: the round and the tool exchanges so far. */
export interface ModelTurnInput {
  readonly runId: string;
  readonly round: number;
  readonly exchanges: readonly ToolExchange[];
}

/** A transcript message the machine asks to append to the session. */
export interface TranscriptParams {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly stopReason?: string;
}

const unprovided = (name: string) => (): never => {
  throw new Error(`agent-run machine: effect '${name}' was not provided`);
};

const ZERO: RunUsage = { input: 0, output: 0, total: 0 };

const plus = (a: RunUsage, b: RunUsage): RunUsage => ({
  input: a.input + b.input,
  output: a.output + b.output,
  total: a.total + b.total,
  ...(a.cacheRead !== undefined || b.cacheRead !== undefined ? { cacheRead: (a.cacheRead ?? 0) + (b.cacheRead ?? 0) } : {}),
  ...(a.cacheWrite !== undefined || b.cacheWrite !== undefined ? { cacheWrite: (a.cacheWrite ?? 0) + (b.cacheWrite ?? 0) } : {}),
});

const facts = (...list: Fact[]): { facts: Fact[] } => ({ facts: list });

/** The partial reply kept in the transcript when a run ends early (nothing when no text streamed). */
const partial = (context: AgentRunContext, stopReason: string): TranscriptParams | null =>
  context.text.length > 0 ? { role: 'assistant', text: context.text, stopReason } : null;

/** The life of one agent run: accepted → running → ok | error | timeout | aborted. */
export const agentRunMachine = setup({
  types: {
    context: {} as AgentRunContext,
    input: {} as AgentRunInput,
    events: {} as AgentRunEvent,
  },
  actions: {
    appendRunFacts: unprovided('appendRunFacts') as (_: unknown, params: { facts: Fact[] }) => void,
    appendTranscript: unprovided('appendTranscript') as (_: unknown, params: TranscriptParams | null) => void,
    requestLane: unprovided('requestLane') as (_: unknown) => void,
    releaseLane: unprovided('releaseLane') as (_: unknown) => void,
  },
  actors: {
    modelTurn: fromCallback<EventObject, ModelTurnInput>(unprovided('modelTurn')),
    toolCalls: fromPromise<ToolResult[], { runId: string; calls: readonly ToolCall[] }>(unprovided('toolCalls')),
  },
  guards: {
    wantsTools: ({ context }) => context.toolCalls.length > 0 && context.round < context.maxToolRounds,
  },
  delays: {
    runTimeout: ({ context }) => context.timeoutMs,
  },
}).createMachine({
  id: 'agentRun',
  context: ({ input }) => ({
    ...input, sessionId: null, text: '', roundText: '', usage: ZERO, round: 0, toolCalls: [], exchanges: [],
  }),
  initial: 'live',
  states: {
    live: {
      description: 'Accepted and not ended: the deadline runs and an abort ends it.',
      entry: 'requestLane',
      exit: 'releaseLane',
      after: {
        runTimeout: {
          target: 'timeout',
          actions: [
            { type: 'appendRunFacts', params: ({ context }) => facts({ type: 'run.timedOut', data: { text: context.text, timeoutMs: context.timeoutMs, usage: context.usage } }) },
            { type: 'appendTranscript', params: ({ context }) => partial(context, 'timeout') },
          ],
        },
      },
      on: {
        'abort.requested': {
          target: 'aborted',
          actions: [
            { type: 'appendRunFacts', params: ({ context, event }) => facts({ type: 'run.aborted', data: { text: context.text, stopReason: event.reason, usage: context.usage } }) },
            { type: 'appendTranscript', params: ({ context, event }) => partial(context, event.reason) },
          ],
        },
      },
      initial: 'accepted',
      states: {
        accepted: {
          description: 'Journaled and acked; waiting for the session lane (one running turn per session).',
          on: {
            'lane.granted': {
              target: 'running',
              actions: [
                assign({ sessionId: ({ event }) => event.sessionId }),
                { type: 'appendRunFacts', params: ({ event }) => facts({ type: 'run.started', data: { sessionId: event.sessionId } }) },
                { type: 'appendTranscript', params: ({ context }) => ({ role: 'user' as const, text: context.message }) },
              ],
            },
          },
        },
        running: {
          description: 'Calling the model, and the gateway tools it asks for, until it answers.',
          initial: 'streaming',
          states: {
            streaming: {
              description: 'One model call streams text, tool calls and usage.',
              entry: assign({ toolCalls: [], roundText: '' }),
              invoke: {
                src: 'modelTurn',
                input: ({ context }) => ({ runId: context.runId, round: context.round, exchanges: context.exchanges }),
              },
              on: {
                'model.delta': {
                  actions: [
                    assign({ text: ({ context, event }) => context.text + event.delta, roundText: ({ context, event }) => context.roundText + event.delta }),
                    { type: 'appendRunFacts', params: ({ event }) => facts({ type: 'run.delta', data: { delta: event.delta } }) },
                  ],
                },
                'model.toolCall': {
                  actions: [
                    assign({ toolCalls: ({ context, event }) => [...context.toolCalls, event.call] }),
                    {
                      type: 'appendRunFacts',
                      params: ({ event }) => facts({ type: 'run.tool.called', data: { toolCallId: event.call.id, name: event.call.name, arguments: event.call.arguments } }),
                    },
                  ],
                },
                'model.usage': {
                  actions: [
                    assign({ usage: ({ context, event }) => plus(context.usage, event.usage) }),
                    { type: 'appendRunFacts', params: ({ event }) => facts({ type: 'run.usage', data: event.usage }) },
                  ],
                },
                'model.done': [
                  { guard: 'wantsTools', target: 'callingTools' },
                  {
                    target: '#agentRun.ok',
                    actions: [
                      {
                        type: 'appendRunFacts',
                        params: ({ context, event }) =>
                          facts({
                            type: 'run.completed',
                            data: { text: context.text, stopReason: context.toolCalls.length > 0 ? 'max_tool_rounds' : event.stopReason, usage: context.usage },
                          }),
                      },
                      { type: 'appendTranscript', params: ({ context }) => ({ role: 'assistant' as const, text: context.text }) },
                    ],
                  },
                ],
                'model.failed': {
                  target: '#agentRun.error',
                  actions: [
                    { type: 'appendRunFacts', params: ({ context, event }) => facts({ type: 'run.failed', data: { text: context.text, error: event.error, usage: context.usage } }) },
                    { type: 'appendTranscript', params: ({ context }) => partial(context, 'error') },
                  ],
                },
              },
            },
            callingTools: {
              description: 'Running the gateway tools the model asked for; their results start the next round.',
              invoke: {
                src: 'toolCalls',
                input: ({ context }) => ({ runId: context.runId, calls: context.toolCalls }),
                onDone: {
                  target: 'streaming',
                  actions: [
                    {
                      type: 'appendRunFacts',
                      params: ({ event }) => ({ facts: event.output.map((r): Fact => ({ type: 'run.tool.completed', data: r })) }),
                    },
                    assign({
                      exchanges: ({ context, event }) => [...context.exchanges, { text: context.roundText, calls: context.toolCalls, results: event.output }],
                      round: ({ context }) => context.round + 1,
                    }),
                  ],
                },
                onError: {
                  target: '#agentRun.error',
                  actions: {
                    type: 'appendRunFacts',
                    params: ({ context, event }) =>
                      facts({
                        type: 'run.failed',
                        data: {
                          text: context.text,
                          error: { key: 'INTERNAL_ERROR', code: 'UNAVAILABLE', message: `tool call failed: ${event.error instanceof Error ? event.error.message : String(event.error)}` },
                          usage: context.usage,
                        },
                      }),
                  },
                },
              },
            },
          },
        },
      },
    },
    ok: { type: 'final', description: 'The model answered; run.completed is journaled.' },
    error: { type: 'final', description: 'The provider or a tool failed; run.failed is journaled.' },
    timeout: { type: 'final', description: 'The deadline passed; run.timedOut is journaled.' },
    aborted: { type: 'final', description: 'Aborted (chat.abort or shutdown); run.aborted is journaled.' },
  },
});
