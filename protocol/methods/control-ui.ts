import { Type, type Static, type TSchema } from '@sinclair/typebox';

/*
 * Methods the official Control UI calls on load and per page (CONTROL-UI.md §5, §9.3), with the
 * official result shapes. Params are open objects: the UI sends options this gateway ignores
 * (`includeDerivedTitles`, `ownerFirst`, …) and must not be refused for them.
 */

const NonEmpty = Type.String({ minLength: 1 });
const Int = Type.Integer({ minimum: 0 });
const Open = { additionalProperties: true } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const params = (properties: Record<string, TSchema> = {}) =>
  Type.Object(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, Type.Optional(v)])), Open);

/** One session row (`sessions.list`, `sessions.describe`), from the session's journal stream. */
/**
 * One `sessions.list` row. The official Control UI checks rows against its own schema (optional
 * strings, never null; `status` from its run-status enum): a field we do not know is left out.
 */
export const SessionRow = Type.Object(
  {
    key: NonEmpty,
    agentId: NonEmpty,
    sessionId: Type.Optional(NonEmpty),
    kind: Type.Literal('direct'),
    isMain: Type.Boolean(),
    isBackground: Type.Boolean(),
    chatType: Type.Literal('direct'),
    createdAt: Int,
    updatedAt: Int,
    lastInteractionAt: Int,
    archived: Type.Boolean(),
    pinned: Type.Boolean(),
    unread: Type.Boolean(),
    /** Absent for a session with no run yet. */
    status: Type.Optional(Type.Union([Type.Literal('running'), Type.Literal('done')])),
    lastRunId: Type.Optional(NonEmpty),
    runtimeMs: Type.Optional(Int),
    lastMessagePreview: Type.Optional(Type.String()),
    messageCount: Int,
    modelProvider: Type.Optional(NonEmpty),
    model: Type.Optional(NonEmpty),
  },
  Open,
);
export type SessionRow = Static<typeof SessionRow>;

export const SessionsListParams = params({ agentId: NonEmpty, limit: Type.Integer({ minimum: 1 }), search: Type.String() });
export const SessionsListResult = Type.Object(
  {
    ts: Int,
    path: Type.String(),
    count: Int,
    totalCount: Int,
    limitApplied: Int,
    hasMore: Type.Boolean(),
    nextOffset: Nullable(Int),
    owners: Type.Array(Type.Unknown()),
    defaults: Type.Object({ modelProvider: Nullable(NonEmpty), model: Nullable(NonEmpty), contextTokens: Nullable(Int) }, Open),
    sessions: Type.Array(SessionRow),
  },
  Open,
);
export type SessionsListResult = Static<typeof SessionsListResult>;

export const SessionsDescribeParams = params({ key: NonEmpty, sessionKey: NonEmpty });
export const SessionsDescribeResult = Type.Object({ session: Nullable(SessionRow) }, Open);

export const SessionsSubscribeParams = params();
export const SubscribedResult = Type.Object({ subscribed: Type.Boolean() }, Open);
export const SessionsMessagesSubscribeParams = params({ key: NonEmpty, includeApprovals: Type.Boolean() });
export const SessionsPatchParams = params({ key: NonEmpty, unread: Type.Boolean() });
export const OkResult = Type.Object({ ok: Type.Boolean() }, Open);
export const SessionsAbortParams = params({ key: NonEmpty, sessionKey: NonEmpty, runId: NonEmpty });
export const SessionsAbortResult = Type.Object({ ok: Type.Boolean(), abortedRunId: Nullable(NonEmpty), status: Type.String() }, Open);

/** One model of a configured provider. */
export const ModelRow = Type.Object(
  {
    id: NonEmpty,
    name: NonEmpty,
    provider: NonEmpty,
    contextWindow: Nullable(Int),
    reasoning: Type.Boolean(),
    tags: Type.Array(Type.String()),
    manualSelectionAllowed: Type.Boolean(),
    available: Type.Boolean(),
  },
  Open,
);
export const ModelsListParams = params({ view: Type.String(), agentId: NonEmpty, sessionKey: NonEmpty });
export const ModelsListResult = Type.Object({ models: Type.Array(ModelRow), accountSelection: Type.Unknown() }, Open);
export const ModelsAuthStatusParams = params({ agentId: NonEmpty });
export const ModelsAuthStatusResult = Type.Object(
  {
    ts: Int,
    providers: Type.Array(Type.Object({ provider: NonEmpty, displayName: NonEmpty, status: Type.String() }, Open)),
    providerCapabilities: Type.Array(Type.Unknown()),
  },
  Open,
);
export const ChatMetadataParams = params({ agentId: NonEmpty, sessionKey: NonEmpty });
export const ChatMetadataResult = Type.Object(
  { models: Type.Array(ModelRow), commands: Type.Array(Type.Unknown()), swarmEnabled: Type.Boolean(), runtimeSelectionLocked: Type.Boolean() },
  Open,
);

export const AgentIdentityParams = params({ agentId: NonEmpty, sessionKey: NonEmpty });
export const AgentIdentityResult = Type.Object({ agentId: NonEmpty, name: NonEmpty, nameSource: Type.String(), avatar: Type.String() }, Open);

export const EmptyParams = params();
export const EmptyArrayResult = Type.Array(Type.Unknown());
export const QuestionListResult = Type.Object({ questions: Type.Array(Type.Unknown()) }, Open);
export const UpdateStatusResult = Type.Object(
  { sentinel: Type.Null(), updateAvailable: Nullable(Type.Boolean()), effectiveChannel: Type.String(), schedule: Type.Unknown() },
  Open,
);
export const TalkCatalogResult = Type.Object(
  { modes: Type.Array(Type.Unknown()), transports: Type.Array(Type.Unknown()), brains: Type.Array(Type.Unknown()) },
  Open,
);
export const TasksListResult = Type.Object({ tasks: Type.Array(Type.Unknown()) }, Open);
export const ProgressCardResult = Type.Object({ card: Type.Null() }, Open);
export const BranchesListResult = Type.Object({ branches: Type.Array(Type.Unknown()) }, Open);
export const CompanionStateResult = Type.Object({ state: Type.String() }, Open);
export const CronListResult = Type.Object(
  { jobs: Type.Array(Type.Unknown()), total: Int, offset: Int, limit: Int, hasMore: Type.Boolean(), nextOffset: Nullable(Int) },
  Open,
);
export const CronStatusResult = Type.Object({ enabled: Type.Boolean(), jobs: Int, nextWakeAtMs: Nullable(Int) }, Open);

/** `diagnostics.lanes`: one lane per session with runs accepted and not ended. */
export const DiagnosticsLanesResult = Type.Object(
  {
    ts: Int,
    lanes: Type.Array(
      Type.Object({ lane: NonEmpty, queuedCount: Int, activeCount: Int, maxConcurrent: Int, draining: Type.Boolean(), generation: Int, blockedBy: Nullable(Type.String()) }, Open),
    ),
  },
  Open,
);

/** `environments.list`: the gateway host is the one environment. */
export const EnvironmentsListResult = Type.Object(
  {
    environments: Type.Array(
      Type.Object({ id: NonEmpty, type: Type.String(), label: Type.String(), status: Type.String(), platform: Type.String(), capabilities: Type.Array(Type.String()) }, Open),
    ),
  },
  Open,
);

/** `system.info`: the gateway host's figures. */
export const SystemInfoResult = Type.Object(
  {
    machineName: Type.String(),
    hostname: Type.String(),
    platform: Type.String(),
    release: Type.String(),
    arch: Type.String(),
    osLabel: Type.String(),
    port: Int,
    nodeVersion: Type.String(),
    pid: Int,
    uptimeMs: Int,
    cpuCount: Int,
    cpuModel: Type.String(),
    loadAverage: Type.Array(Type.Number()),
    memoryTotalBytes: Int,
    memoryFreeBytes: Int,
    processMemory: Type.Object({ rssBytes: Int, heapUsedBytes: Int, heapTotalBytes: Int, externalBytes: Int, arrayBuffersBytes: Int }),
    disks: Type.Array(Type.Object({ path: Type.String(), totalBytes: Int, availableBytes: Int })),
    diskTotalBytes: Nullable(Int),
    diskAvailableBytes: Nullable(Int),
    diskPath: Nullable(Type.String()),
  },
  Open,
);

/** `exec.approvals.get`: this gateway runs no host commands, so the policy file never exists. */
export const ExecApprovalsResult = Type.Object(
  { path: Nullable(Type.String()), exists: Type.Boolean(), file: Type.Unknown(), hash: Nullable(Type.String()), resolvedDefaults: Type.Unknown() },
  Open,
);

/** `usage.status`: provider usage windows (none are tracked). */
export const UsageStatusResult = Type.Object({ updatedAt: Int, providers: Type.Array(Type.Unknown()), refreshing: Type.Boolean() }, Open);
