import { Type, type Static } from '@sinclair/typebox';

const Count = Type.Integer({ minimum: 0 });

const SessionsSummary = Type.Object(
  {
    path: Type.String(),
    count: Count,
    recent: Type.Array(
      Type.Object(
        {
          key: Type.String(),
          updatedAt: Type.Union([Count, Type.Null()]),
          age: Type.Union([Count, Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Event-loop health as the official schema describes it. */
export const EventLoopHealth = Type.Object(
  {
    degraded: Type.Boolean(),
    degradedSinceMs: Type.Optional(Type.Union([Count, Type.Null()])),
    reasons: Type.Array(
      Type.Union([Type.Literal('event_loop_delay'), Type.Literal('event_loop_utilization'), Type.Literal('cpu')]),
    ),
    intervalMs: Type.Number({ minimum: 0 }),
    delayP99Ms: Type.Number({ minimum: 0 }),
    delayMaxMs: Type.Number({ minimum: 0 }),
    utilization: Type.Number({ minimum: 0 }),
    cpuCoreRatio: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type EventLoopHealth = Static<typeof EventLoopHealth>;

/** One agent's entry in the health snapshot. */
export const AgentHealth = Type.Object(
  {
    agentId: Type.String(),
    name: Type.Optional(Type.String()),
    isDefault: Type.Boolean(),
    heartbeat: Type.Object(
      {
        enabled: Type.Boolean(),
        every: Type.String(),
        everyMs: Type.Union([Count, Type.Null()]),
        prompt: Type.String(),
        target: Type.String(),
        ackMaxChars: Count,
      },
      { additionalProperties: false },
    ),
    sessions: SessionsSummary,
  },
  { additionalProperties: false },
);

/**
 * The health snapshot: the `health` result, `hello-ok.snapshot.health` and the `health` event
 * payload (PROTOCOL.md §5.1). `ok:true` means "snapshot produced", not "all green".
 */
export const HealthSnapshot = Type.Object(
  {
    ok: Type.Literal(true),
    ts: Count,
    durationMs: Count,
    eventLoop: Type.Optional(EventLoopHealth),
    /** Loaded plugins, as the official schema has them; model providers in use are `provider:<name>` (`provider:offline`). */
    plugins: Type.Optional(Type.Object({ loaded: Type.Array(Type.String()), errors: Type.Array(Type.Unknown()) }, { additionalProperties: false })),
    configReload: Type.Optional(
      Type.Object(
        { hotReloadStatus: Type.Union([Type.Literal('active'), Type.Literal('disabled')]) },
        { additionalProperties: false },
      ),
    ),
    channels: Type.Record(Type.String(), Type.Unknown()),
    channelOrder: Type.Array(Type.String()),
    channelLabels: Type.Record(Type.String(), Type.String()),
    heartbeatSeconds: Count,
    defaultAgentId: Type.String(),
    agents: Type.Array(AgentHealth),
    sessions: SessionsSummary,
  },
  { additionalProperties: false },
);
export type HealthSnapshot = Static<typeof HealthSnapshot>;
