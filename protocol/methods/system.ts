import { Type, type Static } from '@sinclair/typebox';
import { PresenceEntry } from '../presence.js';
import { HealthSnapshot } from '../health.js';

const NonEmpty = Type.String({ minLength: 1 });
const Closed = { additionalProperties: false } as const;

/** `health`: the health snapshot; `probe:true` asks for a fresh one. */
export const HealthParams = Type.Object({ probe: Type.Optional(Type.Boolean()) }, Closed);
export const HealthResult = HealthSnapshot;

/** `status`: the summary the official `openclaw status` reads. */
export const StatusParams = Type.Object(
  { includeChannelSummary: Type.Optional(Type.Boolean()), includeCliProjection: Type.Optional(Type.Boolean()) },
  Closed,
);
export const StatusResult = Type.Object({
  runtimeVersion: NonEmpty,
  pid: Type.Integer(),
  uptimeMs: Type.Integer({ minimum: 0 }),
  transport: Type.Union([Type.Literal('uws'), Type.Literal('ws')]),
  heartbeat: Type.Object({ defaultAgentId: NonEmpty, agents: Type.Array(Type.Unknown()) }),
  channelSummary: Type.Array(Type.Unknown()),
  queuedSystemEvents: Type.Array(Type.String()),
  sessions: Type.Object({
    paths: Type.Array(Type.String()),
    count: Type.Integer({ minimum: 0 }),
    defaults: Type.Object({ model: Type.Union([Type.String(), Type.Null()]), contextTokens: Type.Union([Type.Integer(), Type.Null()]) }),
    recent: Type.Array(Type.Unknown()),
    byAgent: Type.Array(
      Type.Object({ agentId: NonEmpty, path: Type.String(), count: Type.Integer({ minimum: 0 }), recent: Type.Array(Type.Unknown()) }),
    ),
  }),
  tasks: Type.Object({ total: Type.Integer({ minimum: 0 }), active: Type.Integer({ minimum: 0 }) }),
  journal: Type.Object({ path: Type.String(), lastSeq: Type.Integer({ minimum: 0 }), gatewayPosition: Type.Integer({ minimum: 0 }) }),
  processMemory: Type.Object({ rssBytes: Type.Integer(), heapUsedBytes: Type.Integer() }),
  connections: Type.Integer({ minimum: 0 }),
});
export type StatusResult = Static<typeof StatusResult>;

/** `system-presence`: the roster, filtered per recipient. */
export const SystemPresenceParams = Type.Object({}, Closed);
export const SystemPresenceResult = Type.Array(PresenceEntry);

/** `system-event`: a presence beacon plus a note queued on a session (admin). */
export const SystemEventParams = Type.Object(
  {
    text: Type.String(),
    idempotencyKey: Type.Optional(NonEmpty),
    sessionKey: Type.Optional(NonEmpty),
    wake: Type.Optional(Type.Boolean()),
    deviceId: Type.Optional(NonEmpty),
    instanceId: Type.Optional(NonEmpty),
    host: Type.Optional(NonEmpty),
    ip: Type.Optional(NonEmpty),
    mode: Type.Optional(NonEmpty),
    version: Type.Optional(NonEmpty),
    platform: Type.Optional(NonEmpty),
    deviceFamily: Type.Optional(NonEmpty),
    modelIdentifier: Type.Optional(NonEmpty),
    lastInputSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    reason: Type.Optional(NonEmpty),
    roles: Type.Optional(Type.Array(NonEmpty)),
    scopes: Type.Optional(Type.Array(NonEmpty)),
    tags: Type.Optional(Type.Array(NonEmpty)),
  },
  Closed,
);
export type SystemEventParams = Static<typeof SystemEventParams>;
export const OkResult = Type.Object({ ok: Type.Literal(true) });

/** `last-heartbeat`: the last heartbeat event payload, or null. */
export const LastHeartbeatParams = Type.Object({}, Closed);
export const LastHeartbeatResult = Type.Union([Type.Null(), Type.Record(Type.String(), Type.Unknown())]);

/** `wake`: queue `text` for a session and wake it now or at the next heartbeat. */
export const WakeParams = Type.Object({
  mode: Type.Union([Type.Literal('now'), Type.Literal('next-heartbeat')]),
  text: NonEmpty,
  sessionKey: Type.Optional(NonEmpty),
  agentId: Type.Optional(NonEmpty),
});
export type WakeParams = Static<typeof WakeParams>;
