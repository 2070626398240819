import { Type, type Static } from '@sinclair/typebox';

const NonEmpty = Type.String({ minLength: 1 });
const Closed = { additionalProperties: false } as const;
const Str = Type.Optional(Type.String());

/** `chat.send` params (PROTOCOL.md §5.14), with every key of the official `ChatSendParams`. */
export const ChatSendParams = Type.Object(
  {
    sessionKey: Type.String({ minLength: 1, maxLength: 512 }),
    message: Type.String(),
    idempotencyKey: NonEmpty,
    agentId: Type.Optional(NonEmpty),
    sessionId: Type.Optional(NonEmpty),
    intent: Type.Optional(Type.Unknown()),
    thinking: Str,
    fastMode: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('auto')])),
    fastAutoOnSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    queueMode: Type.Optional(Type.Union([Type.Literal('steer'), Type.Literal('followup'), Type.Literal('collect'), Type.Literal('interrupt')])),
    deliver: Type.Optional(Type.Boolean()),
    originatingChannel: Str,
    originatingTo: Str,
    originatingAccountId: Str,
    originatingThreadId: Str,
    replyToId: Type.Optional(NonEmpty),
    attachments: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
    toolBindings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** The run's budget in ms (default: the agent's timeout). */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
    systemInputProvenance: Type.Optional(Type.Unknown()),
    systemProvenanceReceipt: Str,
    suppressCommandInterpretation: Type.Optional(Type.Boolean()),
    expectedLeafEntryId: Type.Optional(Type.Union([NonEmpty, Type.Null()])),
    expectedSessionRoutingContract: Type.Optional(NonEmpty),
    expectedPermissionMode: Type.Optional(Type.Unknown()),
    expectedToolOverrides: Type.Optional(Type.Unknown()),
  },
  Closed,
);
export type ChatSendParams = Static<typeof ChatSendParams>;

/** `chat.send` answers at once; the reply streams as `chat` events. */
export const ChatSendResult = Type.Object({
  runId: NonEmpty,
  status: Type.Union([Type.Literal('started'), Type.Literal('in_flight'), Type.Literal('ok'), Type.Literal('error'), Type.Literal('timeout')]),
  summary: Type.Optional(Type.String()),
});
export type ChatSendResult = Static<typeof ChatSendResult>;

/** `chat.history` params, with every key of the official `ChatHistoryParams`. */
export const ChatHistoryParams = Type.Object(
  {
    sessionKey: NonEmpty,
    agentId: Type.Optional(NonEmpty),
    /** `deltaCursor` of an earlier answer: only messages after it. */
    cursor: Str,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    pendingBefore: Type.Optional(Type.Integer({ minimum: 1 })),
    inputRunIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 50, uniqueItems: true })),
    messageId: Type.Optional(NonEmpty),
    sessionId: Type.Optional(NonEmpty),
    maxChars: Type.Optional(Type.Integer({ minimum: 1, maximum: 500_000 })),
    /** Byte budget of the answer's messages (the official UI sends 262144): the oldest are left out first. */
    maxBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000_000 })),
  },
  Closed,
);
export type ChatHistoryParams = Static<typeof ChatHistoryParams>;

/** One transcript message; `__openclaw.seq` is its position in the session's journal stream. */
export const ChatMessage = Type.Object({
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
  content: Type.Array(Type.Object({ type: Type.Literal('text'), text: Type.String() })),
  timestamp: Type.Integer({ minimum: 0 }),
  runId: NonEmpty,
  stopReason: Type.Optional(NonEmpty),
  /** The send identity of a user row, `<runId>:user` (how the official UI reconciles its outbox). */
  idempotencyKey: Type.Optional(NonEmpty),
  __openclaw: Type.Object({ id: NonEmpty, seq: Type.Integer({ minimum: 1 }), idempotencyKey: Type.Optional(NonEmpty) }),
});
export type ChatMessage = Static<typeof ChatMessage>;

const SessionInfo = Type.Object({
  sessionKey: NonEmpty,
  sessionId: Type.Union([NonEmpty, Type.Null()]),
  agentId: NonEmpty,
  /** The official UI's names: `key`, whether a run is going and which. */
  key: Type.Optional(NonEmpty),
  hasActiveRun: Type.Optional(Type.Boolean()),
  activeRunIds: Type.Optional(Type.Array(NonEmpty)),
});

/** `session.message` event: one committed transcript row (CONTROL-UI.md §9.3 item 4), no frame `seq`. */
export const SessionMessageEvent = Type.Object({
  sessionKey: NonEmpty,
  agentId: NonEmpty,
  message: Type.Unknown(),
  messageId: NonEmpty,
  messageSeq: Type.Integer({ minimum: 1 }),
});
export type SessionMessageEvent = Static<typeof SessionMessageEvent>;

/** `chat.history` result: the transcript from the journal (`kind:"delta"` when a cursor was given). */
export const ChatHistoryResult = Type.Union([
  Type.Object({
    sessionKey: NonEmpty,
    sessionId: Type.Union([NonEmpty, Type.Null()]),
    messages: Type.Array(ChatMessage),
    pendingInputs: Type.Object({ items: Type.Array(Type.Unknown()), total: Type.Integer({ minimum: 0 }) }),
    deltaCursor: Type.String(),
    hasMore: Type.Boolean(),
    totalMessages: Type.Integer({ minimum: 0 }),
    defaults: Type.Object({ model: Type.Union([NonEmpty, Type.Null()]) }),
    sessionInfo: SessionInfo,
  }),
  Type.Object({ kind: Type.Literal('delta'), messages: Type.Array(ChatMessage), deltaCursor: Type.String(), sessionInfo: SessionInfo }),
]);
export type ChatHistoryResult = Static<typeof ChatHistoryResult>;

/** `chat.abort` params (closed, as official). */
export const ChatAbortParams = Type.Object(
  { sessionKey: NonEmpty, agentId: Type.Optional(NonEmpty), runId: Type.Optional(NonEmpty), preserveSideRuns: Type.Optional(Type.Boolean()) },
  Closed,
);
export type ChatAbortParams = Static<typeof ChatAbortParams>;

/** `chat.abort` result: which runs were aborted. */
export const ChatAbortResult = Type.Object({ ok: Type.Literal(true), aborted: Type.Boolean(), runIds: Type.Array(NonEmpty) });
export type ChatAbortResult = Static<typeof ChatAbortResult>;
