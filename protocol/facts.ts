import { Type, type Static } from '@sinclair/typebox';
import { PresenceEntry } from './presence.js';
import { HealthSnapshot } from './health.js';
import { RunFactPayloads, SessionFactPayloads } from './run-facts.js';
import { DeviceFactPayloads } from './devices.js';
import { NodeFactPayloads } from './nodes.js';
import { ChannelFactPayloads } from './channel-facts.js';
import { SecretsFactPayloads } from './secrets.js';
import { HookFactPayloads } from './hooks.js';

/**
 * Journal facts: what happened, in the past tense. Each fact type has a payload schema; the
 * journal stores `{type, data}` and projections fold them. Streams: `gateway` holds exactly the
 * facts every operator sees as broadcast events (so a gap in wire `seq` is a gap in the log);
 * `system` holds supervisor lifecycle; `session:<key>` holds what was queued for a session.
 */
export const FactPayloads = {
  /** The gateway booted: earlier connections are gone, a new self entry leads the roster. */
  'presence.restarted': Type.Object({ self: PresenceEntry }, { additionalProperties: false }),
  /** A tracked client connected (one row per connection; nodes keyed by device). */
  'presence.connected': Type.Object({ key: Type.String(), entry: PresenceEntry }, { additionalProperties: false }),
  /** A tracked client's socket closed; the row stays with reason "disconnect" until pruned. */
  'presence.disconnected': Type.Object({ key: Type.String(), ts: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  /** A `system-event` beacon merged into the roster under `key`. */
  'presence.beaconed': Type.Object({ key: Type.String(), entry: PresenceEntry }, { additionalProperties: false }),
  /** A new health snapshot worth announcing. */
  'health.changed': Type.Object({ snapshot: HealthSnapshot }, { additionalProperties: false }),
  /** A graceful stop or restart began. */
  'gateway.shutdown.announced': Type.Object(
    { reason: Type.String({ minLength: 1 }), restartExpectedMs: Type.Optional(Type.Integer({ minimum: 0 })) },
    { additionalProperties: false },
  ),
  /** The supervisor started serving (stream `system`). */
  'gateway.started': Type.Object(
    { version: Type.String(), pid: Type.Integer(), bootId: Type.String(), transport: Type.String(), port: Type.Integer() },
    { additionalProperties: false },
  ),
  /** The supervisor stopped cleanly (stream `system`). */
  'gateway.stopped': Type.Object({ reason: Type.String() }, { additionalProperties: false }),
  /** A changed config file was taken in (stream `system`): applied hot, by a restart, or not at all. */
  'config.reloaded': Type.Object(
    {
      hash: Type.String(),
      mode: Type.Union([Type.Literal('off'), Type.Literal('hot'), Type.Literal('restart'), Type.Literal('hybrid')]),
      action: Type.Union([Type.Literal('hot'), Type.Literal('restart'), Type.Literal('none')]),
      changed: Type.Array(Type.String()),
      /** Changes that need a restart and were left for the next one (mode `hot` or `off`). */
      pending: Type.Optional(Type.Array(Type.String())),
    },
    { additionalProperties: false },
  ),
  /** A changed config file was refused (broken JSON5 or failed validation); the running config stays. */
  'config.reload.rejected': Type.Object({ hash: Type.Optional(Type.String()), issue: Type.String() }, { additionalProperties: false }),
  /** An in-process restart is about to begin (stream `system`). */
  'gateway.restart.requested': Type.Object(
    {
      reason: Type.String({ minLength: 1 }),
      source: Type.Union([Type.Literal('signal'), Type.Literal('config')]),
      signal: Type.Optional(Type.String()),
      changed: Type.Optional(Type.Array(Type.String())),
      restartExpectedMs: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false },
  ),
  /** A restart signal was ignored because `commands.restart` is false (stream `system`). */
  'gateway.restart.refused': Type.Object({ signal: Type.String(), reason: Type.String() }, { additionalProperties: false }),
  /** A system event was queued for a session (`system-event` or `wake`). */
  'system.event.queued': Type.Object(
    {
      text: Type.String({ minLength: 1 }),
      source: Type.Union([Type.Literal('system-event'), Type.Literal('wake')]),
      mode: Type.Optional(Type.Union([Type.Literal('now'), Type.Literal('next-heartbeat')])),
      idempotencyKey: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  /** Agent runs (`run:<id>`) and session transcripts (`session:<key>`): protocol/run-facts.ts. */
  ...RunFactPayloads,
  ...SessionFactPayloads,
  /** Device pairing, device tokens and node surfaces (`device:<deviceId>`): protocol/devices.ts, protocol/nodes.ts. */
  ...DeviceFactPayloads,
  ...NodeFactPayloads,
  /** Channel accounts (`channel:<channel>:<accountId>`): protocol/channel-facts.ts. */
  ...ChannelFactPayloads,
  /** SecretRef resolutions (stream `system`): protocol/secrets.ts. */
  ...SecretsFactPayloads,
  /** Inbound HTTP hooks (stream `hooks`): protocol/hooks.ts. */
  ...HookFactPayloads,
} as const;

export type FactType = keyof typeof FactPayloads;
/** A fact before it is journaled. */
export type Fact = { [K in FactType]: { type: K; data: Static<(typeof FactPayloads)[K]> } }[FactType];
/** Payload type of one fact type. */
export type FactData<K extends FactType> = Static<(typeof FactPayloads)[K]>;
