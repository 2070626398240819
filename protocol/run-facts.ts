import { Type, type Static } from '@sinclair/typebox';

/*
 * Facts of agent runs and sessions. A run's facts live in stream `run:<runId>` (runId = the
 * idempotency key), so its position is the per-run `seq` of its `agent`/`chat` events and the
 * stream itself is the idempotency record. A session's transcript lives in `session:<key>`.
 *
 *   run:<id>      run.accepted → run.started → (run.delta | run.usage | run.tool.*)* →
 *                 run.completed | run.failed | run.timedOut | run.aborted
 *   session:<key> session.created, session.message.appended (user at start, assistant at end)
 */

const NonEmpty = Type.String({ minLength: 1 });
const Closed = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0 });

/** Token usage as providers report it (summed over the model calls of a run). */
export const RunUsage = Type.Object(
  { input: Count, output: Count, cacheRead: Type.Optional(Count), cacheWrite: Type.Optional(Count), total: Count },
  Closed,
);
export type RunUsage = Static<typeof RunUsage>;

/** A failure as it reaches the wire: catalogue key, wire code, the provider's own message. */
export const RunError = Type.Object(
  {
    key: NonEmpty,
    code: NonEmpty,
    message: NonEmpty,
    kind: Type.Optional(
      Type.Union([Type.Literal('refusal'), Type.Literal('timeout'), Type.Literal('rate_limit'), Type.Literal('context_length'), Type.Literal('unknown')]),
    ),
    httpStatus: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  },
  Closed,
);
export type RunError = Static<typeof RunError>;

/** Where a run was started from. */
export const RunOrigin = Type.Union([Type.Literal('ws'), Type.Literal('http'), Type.Literal('cli'), Type.Literal('channel')]);

export const RunFactPayloads = {
  /** A run was admitted (its ack follows this commit). Position 1 of the run's stream. */
  'run.accepted': Type.Object(
    {
      runId: NonEmpty,
      sessionKey: NonEmpty,
      agentId: NonEmpty,
      message: Type.String(),
      origin: RunOrigin,
      /** `agent`, `chat.send`, or the HTTP route that started it. */
      via: NonEmpty,
      provider: NonEmpty,
      model: NonEmpty,
      timeoutMs: Type.Integer({ minimum: 1 }),
      extraSystemPrompt: Type.Optional(Type.String()),
    },
    Closed,
  ),
  /** The run got its session's lane and called the model. */
  'run.started': Type.Object({ sessionId: NonEmpty }, Closed),
  /** A chunk of assistant text (the cumulative text is the fold of the deltas). */
  'run.delta': Type.Object({ delta: Type.String({ minLength: 1 }) }, Closed),
  /** Usage reported by one model call. */
  'run.usage': RunUsage,
  /** The model asked for a gateway tool. */
  'run.tool.called': Type.Object({ toolCallId: NonEmpty, name: NonEmpty, arguments: Type.String() }, Closed),
  /** A gateway tool answered (result truncated for the journal). */
  'run.tool.completed': Type.Object({ toolCallId: NonEmpty, name: NonEmpty, result: Type.String(), isError: Type.Boolean() }, Closed),
  /** The model finished; `text` is the whole reply. */
  'run.completed': Type.Object({ text: Type.String(), stopReason: NonEmpty, usage: RunUsage }, Closed),
  /** The provider (or the gateway) failed the run; `text` is what streamed before. */
  'run.failed': Type.Object({ text: Type.String(), error: RunError, usage: RunUsage }, Closed),
  /** The run's deadline passed. */
  'run.timedOut': Type.Object({ text: Type.String(), timeoutMs: Type.Integer({ minimum: 1 }), usage: RunUsage }, Closed),
  /** Someone aborted the run (`rpc`: chat.abort / agent abort; `shutdown`: the gateway stopped). */
  'run.aborted': Type.Object({ text: Type.String(), stopReason: NonEmpty, usage: RunUsage }, Closed),
} as const;

export const SessionFactPayloads = {
  /** First run of a session: its id (what `agentMeta.sessionId` and `chat.history` report). */
  'session.created': Type.Object({ sessionId: NonEmpty, agentId: NonEmpty }, Closed),
  /** A transcript message: the user's at run start, the assistant's at run end. */
  'session.message.appended': Type.Object(
    {
      role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
      text: Type.String(),
      runId: NonEmpty,
      /** Set on an assistant message cut short by abort, timeout or failure. */
      stopReason: Type.Optional(NonEmpty),
    },
    Closed,
  ),
} as const;

/** Fact types that end a run. */
export const TERMINAL_RUN_FACTS = ['run.completed', 'run.failed', 'run.timedOut', 'run.aborted'] as const;
export type TerminalRunFact = (typeof TERMINAL_RUN_FACTS)[number];
export const isTerminalRunFact = (type: string): type is TerminalRunFact => (TERMINAL_RUN_FACTS as readonly string[]).includes(type);

/** The journal stream of a run. */
export const runStream = (runId: string): string => `run:${runId}`;
/** The run id of a `run:<id>` stream, or null for other streams. */
export const runIdOfStream = (stream: string): string | null => (stream.startsWith('run:') ? stream.slice(4) : null);
