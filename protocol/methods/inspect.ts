import { Type, type Static } from '@sinclair/typebox';

/**
 * `gateway.inspect` (beyond today's product): the state-machine inspector. Lists every live actor
 * with its current state and, while someone watches, records their transitions in a bounded ring.
 * Recording is off until a call asks for it with `watchMs`, so it costs nothing while nobody looks.
 */
export const GatewayInspectParams = Type.Object(
  {
    /** Keep recording transitions for this long from now (0: just read). */
    watchMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    /** Only transitions after this cursor (from a previous answer). */
    since: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type GatewayInspectParams = Static<typeof GatewayInspectParams>;

/** One live actor. */
export const InspectedActor = Type.Object({
  id: Type.String(),
  machine: Type.String(),
  state: Type.Unknown(),
  status: Type.String(),
});
export type InspectedActor = Static<typeof InspectedActor>;

/** One recorded transition: the event an actor took and the state it reached. */
export const InspectedTransition = Type.Object({
  n: Type.Integer({ minimum: 1 }),
  ts: Type.Integer({ minimum: 0 }),
  actor: Type.String(),
  machine: Type.String(),
  event: Type.String(),
  state: Type.Unknown(),
  status: Type.String(),
});
export type InspectedTransition = Static<typeof InspectedTransition>;

export const GatewayInspectResult = Type.Object({
  /** Epoch ms until which transitions are recorded (0: not recording). */
  watchingUntil: Type.Integer({ minimum: 0 }),
  actors: Type.Array(InspectedActor),
  transitions: Type.Array(InspectedTransition),
  /** Pass as `since` to get only newer transitions. */
  cursor: Type.Integer({ minimum: 0 }),
});
export type GatewayInspectResult = Static<typeof GatewayInspectResult>;
