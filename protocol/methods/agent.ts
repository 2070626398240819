import { Type, type Static } from '@sinclair/typebox';
import { RunUsage } from '../run-facts.js';

const NonEmpty = Type.String({ minLength: 1 });
const Closed = { additionalProperties: false } as const;
const Str = Type.Optional(Type.String());
const Bool = Type.Optional(Type.Boolean());

/**
 * `agent` params (PROTOCOL.md §5.6): closed, with every key the official `AgentParams` has, so
 * whatever an official client sends validates. Keys this gateway does not act on (delivery,
 * threads, internal runtime fields) are accepted and ignored.
 */
export const AgentParams = Type.Object(
  {
    message: Type.String({ minLength: 1 }),
    idempotencyKey: NonEmpty,
    agentId: Type.Optional(NonEmpty),
    provider: Str,
    model: Str,
    to: Str,
    replyTo: Str,
    sessionId: Str,
    sessionKey: Str,
    expectedExistingSessionId: Type.Optional(NonEmpty),
    thinking: Str,
    deliver: Bool,
    attachments: Type.Optional(Type.Array(Type.Unknown())),
    channel: Str,
    replyChannel: Str,
    accountId: Str,
    replyAccountId: Str,
    threadId: Str,
    groupId: Str,
    groupChannel: Str,
    groupSpace: Str,
    /** Run deadline in seconds (0: the configured default). */
    timeout: Type.Optional(Type.Integer({ minimum: 0 })),
    bestEffortDeliver: Bool,
    lane: Str,
    cwd: Type.Optional(NonEmpty),
    cleanupBundleMcpOnRunEnd: Bool,
    modelRun: Bool,
    promptMode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('minimal'), Type.Literal('none')])),
    extraSystemPrompt: Str,
    bootstrapContextMode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('lightweight')])),
    bootstrapContextRunKind: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('heartbeat'), Type.Literal('cron')])),
    acpTurnSource: Type.Optional(Type.Literal('manual_spawn')),
    internalRuntimeHandoffId: Type.Optional(NonEmpty),
    internalExecutionIdentityRetry: Bool,
    internalExecutionIdentityRecoveryAttempt: Type.Optional(Type.Integer({ minimum: 1 })),
    execApprovalFollowupExpectedSessionId: Type.Optional(NonEmpty),
    internalEvents: Type.Optional(Type.Array(Type.Unknown())),
    inputProvenance: Type.Optional(Type.Unknown()),
    suppressPromptPersistence: Bool,
    sessionEffects: Type.Optional(Type.Union([Type.Literal('visible'), Type.Literal('internal')])),
    sourceReplyDeliveryMode: Type.Optional(Type.Union([Type.Literal('automatic'), Type.Literal('message_tool_only')])),
    disableMessageTool: Bool,
    swarmCollector: Bool,
    swarmOutputSchema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    forceRestartSafeTools: Bool,
    forceCodeModeTools: Bool,
    voiceWakeTrigger: Str,
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  Closed,
);
export type AgentParams = Static<typeof AgentParams>;

/** Stage 1 of `agent`: the run is journaled and accepted. */
export const AgentAccepted = Type.Object({
  runId: NonEmpty,
  sessionKey: NonEmpty,
  agentId: NonEmpty,
  status: Type.Literal('accepted'),
  acceptedAt: Type.Integer({ minimum: 0 }),
});

/** A retry while the run with that idempotency key is still going (one response, no second stage). */
export const AgentInFlight = Type.Object({
  runId: NonEmpty,
  status: Type.Literal('in_flight'),
  sessionKey: NonEmpty,
  agentId: NonEmpty,
});

/** `agentMeta` of a final: which session, provider and model answered, with usage. */
export const AgentMeta = Type.Object({ sessionId: NonEmpty, provider: NonEmpty, model: NonEmpty, usage: RunUsage });

/** Stage 2 on success: the reply text as payloads. */
export const AgentCompleted = Type.Object({
  runId: NonEmpty,
  status: Type.Literal('ok'),
  summary: Type.Literal('completed'),
  result: Type.Object({
    payloads: Type.Array(Type.Object({ text: Type.String(), mediaUrl: Type.Null() })),
    meta: Type.Object({ durationMs: Type.Integer({ minimum: 0 }), agentMeta: AgentMeta, stopReason: Type.Optional(NonEmpty) }),
  }),
});

/** Stage 2 on failure (sent with `ok:false` and an error `UNAVAILABLE` or `AGENT_TIMEOUT`). */
export const AgentFailed = Type.Object({ runId: NonEmpty, status: Type.Literal('error'), summary: NonEmpty });

/** Stage 2 of an aborted run (the official shape: `status:"timeout"`, `summary:"aborted"`). */
export const AgentAborted = Type.Object({
  runId: NonEmpty,
  status: Type.Literal('timeout'),
  summary: Type.Literal('aborted'),
  stopReason: NonEmpty,
  endedAt: Type.Integer({ minimum: 0 }),
});

/** Every payload `agent` answers with, over both stages. */
export const AgentResult = Type.Union([AgentAccepted, AgentInFlight, AgentCompleted, AgentFailed, AgentAborted]);
export type AgentResult = Static<typeof AgentResult>;

/** `agent.wait`: waits up to `timeoutMs` (default 30 s) for a run to end. */
export const AgentWaitParams = Type.Object({ runId: NonEmpty, timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })) }, Closed);
export type AgentWaitParams = Static<typeof AgentWaitParams>;

/** `agent.wait` result: `timeout` also when the run is unknown or still going. */
export const AgentWaitResult = Type.Object({
  runId: NonEmpty,
  status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('timeout')]),
  startedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  endedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  error: Type.Optional(Type.String()),
  stopReason: Type.Optional(Type.String()),
  terminalReply: Type.Optional(Type.Object({ disposition: NonEmpty, text: Type.String() })),
});
export type AgentWaitResult = Static<typeof AgentWaitResult>;
