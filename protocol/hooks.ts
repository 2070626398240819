import { Type, type Static } from '@sinclair/typebox';

/*
 * Inbound HTTP hooks (`hooks.*`, default off; official docs/gateway/config-hooks.md, PROTOCOL.md
 * §9.5): `POST <hooks.path>/wake`, `POST <hooks.path>/agent` and mapped `POST <hooks.path>/<name>`.
 */

const Closed = { additionalProperties: false } as const;
const Open = { additionalProperties: true } as const;
const NonEmpty = Type.String({ minLength: 1 });
const WakeMode = Type.Union([Type.Literal('now'), Type.Literal('next-heartbeat')]);
const SessionMode = Type.Union([Type.Literal('isolated'), Type.Literal('persistent')]);

/** One entry of `hooks.mappings`: first match wins. Transforms and `forEach` are not implemented (refused as unknown keys). */
export const HookMapping = Type.Object(
  {
    id: Type.Optional(NonEmpty),
    match: Type.Optional(Type.Object({ path: Type.Optional(Type.String()), source: Type.Optional(Type.String()) }, Closed)),
    action: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('wake')])),
    wakeMode: Type.Optional(WakeMode),
    name: Type.Optional(Type.String()),
    agentId: Type.Optional(NonEmpty),
    sessionKey: Type.Optional(Type.String()),
    sessionMode: Type.Optional(SessionMode),
    messageTemplate: Type.Optional(Type.String()),
    textTemplate: Type.Optional(Type.String()),
    deliver: Type.Optional(Type.Boolean()),
    channel: Type.Optional(Type.String()),
    to: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    thinking: Type.Optional(Type.String()),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    allowUnsafeExternalContent: Type.Optional(Type.Boolean()),
  },
  Closed,
);
export type HookMapping = Static<typeof HookMapping>;

/** `hooks.*` of `openclaw.json`. */
export const HooksSection = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    /** Required when enabled; should differ from the gateway token. */
    token: Type.Optional(NonEmpty),
    path: Type.Optional(NonEmpty),
    allowedAgentIds: Type.Optional(Type.Array(Type.String())),
    defaultSessionKey: Type.Optional(NonEmpty),
    allowRequestSessionKey: Type.Optional(Type.Boolean()),
    allowedSessionKeyPrefixes: Type.Optional(Type.Array(Type.String())),
    /** Built-in mappings (`gmail`); accepted, none is implemented. */
    presets: Type.Optional(Type.Array(Type.String())),
    mappings: Type.Optional(Type.Array(HookMapping)),
    transformsDir: Type.Optional(NonEmpty),
    /** The Gmail watcher and internal event hooks belong to other subsystems: kept as they are. */
    gmail: Type.Optional(Type.Object({}, Open)),
    internal: Type.Optional(Type.Object({}, Open)),
  },
  Closed,
);
export type HooksSection = Static<typeof HooksSection>;

/** Journal payloads (stream `hooks`): one fact per authenticated hook request, never the payload. */
export const HookFactPayloads = {
  'hook.received': Type.Object(
    {
      path: Type.String(),
      action: Type.Union([Type.Literal('wake'), Type.Literal('agent'), Type.Literal('none')]),
      status: Type.Integer(),
      mapping: Type.Optional(Type.String()),
      runId: Type.Optional(Type.String()),
      idempotencyKey: Type.Optional(Type.String()),
      /** wake: queued | coalesced; agent: started | in_flight | completed. */
      outcome: Type.Optional(Type.String()),
      error: Type.Optional(Type.String()),
    },
    Closed,
  ),
} as const;
