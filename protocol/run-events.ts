import { Type, type Static } from '@sinclair/typebox';

const NonEmpty = Type.String({ minLength: 1 });
const Closed = { additionalProperties: false } as const;
const Seq = Type.Integer({ minimum: 0 });

/**
 * `agent` event payload (PROTOCOL.md §6.1), closed exactly as the official `AgentEvent`. `seq` is
 * the position of the fact in `run:<runId>` (dense from 1), `ts` the fact's journal time. Streams:
 * `lifecycle` (phase start | model | end | error), `assistant` {text, delta}, `usage`, `tool`.
 */
export const AgentEvent = Type.Object(
  {
    runId: NonEmpty,
    seq: Seq,
    stream: NonEmpty,
    ts: Type.Integer({ minimum: 0 }),
    spawnedBy: Type.Optional(NonEmpty),
    isHeartbeat: Type.Optional(Type.Boolean()),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  Closed,
);
export type AgentEvent = Static<typeof AgentEvent>;

/** The cumulative assistant message carried by `chat` events. */
export const ChatEventMessage = Type.Object({
  role: Type.Literal('assistant'),
  content: Type.Array(Type.Object({ type: Type.Literal('text'), text: Type.String() })),
  timestamp: Type.Integer({ minimum: 0 }),
});

const chatBase = { runId: NonEmpty, sessionKey: NonEmpty, agentId: Type.Optional(NonEmpty), seq: Seq };

/** `chat` event payload (PROTOCOL.md §6.2): the WebChat view of a run, union on `state`. */
export const ChatEvent = Type.Union([
  Type.Object({ ...chatBase, state: Type.Literal('delta'), deltaText: Type.String(), message: ChatEventMessage }, Closed),
  Type.Object({ ...chatBase, state: Type.Literal('final'), message: ChatEventMessage, stopReason: Type.Optional(Type.String()), usage: Type.Optional(Type.Unknown()) }, Closed),
  Type.Object({ ...chatBase, state: Type.Literal('aborted'), message: Type.Optional(ChatEventMessage), stopReason: Type.Optional(Type.String()) }, Closed),
  Type.Object(
    {
      ...chatBase,
      state: Type.Literal('error'),
      errorMessage: Type.Optional(Type.String()),
      errorKind: Type.Optional(
        Type.Union([Type.Literal('refusal'), Type.Literal('timeout'), Type.Literal('rate_limit'), Type.Literal('context_length'), Type.Literal('unknown')]),
      ),
    },
    Closed,
  ),
]);
export type ChatEvent = Static<typeof ChatEvent>;
