import { Type, type Static } from '@sinclair/typebox';
import { PresenceEntry } from './presence.js';

/** `tick` payload: keepalive, at least every `policy.tickIntervalMs`; not journaled, no `seq`. */
export const TickEvent = Type.Object({ ts: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type TickEvent = Static<typeof TickEvent>;

/** `shutdown` payload, sent before every graceful stop or restart (then close 1012). */
export const ShutdownEvent = Type.Object(
  { reason: Type.String({ minLength: 1 }), restartExpectedMs: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
export type ShutdownEvent = Static<typeof ShutdownEvent>;

/** `presence` payload: the whole roster after the change. */
export const PresenceEvent = Type.Object({ presence: Type.Array(PresenceEntry) }, { additionalProperties: false });
export type PresenceEvent = Static<typeof PresenceEvent>;

/**
 * Events this gateway emits; advertised in `hello-ok.features.events`. Not `heartbeat`: there is
 * no heartbeat runner (agents' `heartbeat.enabled` is false), so none is ever sent.
 */
export const GATEWAY_EVENTS = [
  'connect.challenge', 'tick', 'presence', 'health', 'shutdown', 'agent', 'chat', 'session.message',
  'device.pair.requested', 'device.pair.resolved', 'node.pair.requested', 'node.pair.resolved',
  'node.invoke.request', 'node.invoke.cancel', 'node.hostStats', 'node.runnerInventory.changed',
] as const;
export type GatewayEventName = (typeof GATEWAY_EVENTS)[number];
