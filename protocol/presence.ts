import { Type, type Static } from '@sinclair/typebox';

const NonEmpty = Type.String({ minLength: 1 });
const Ms = Type.Integer({ minimum: 0 });

/** One row of the presence roster (PROTOCOL.md §7); closed, like the official schema. */
export const PresenceEntry = Type.Object(
  {
    host: Type.Optional(NonEmpty),
    ip: Type.Optional(NonEmpty),
    version: Type.Optional(NonEmpty),
    platform: Type.Optional(NonEmpty),
    deviceFamily: Type.Optional(NonEmpty),
    modelIdentifier: Type.Optional(NonEmpty),
    timeZone: Type.Optional(NonEmpty),
    mode: Type.Optional(NonEmpty),
    lastInputSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    reason: Type.Optional(NonEmpty),
    tags: Type.Optional(Type.Array(NonEmpty)),
    text: Type.Optional(Type.String()),
    ts: Ms,
    onlineSince: Type.Optional(Ms),
    lastActivityAt: Type.Optional(Ms),
    deviceId: Type.Optional(NonEmpty),
    roles: Type.Optional(Type.Array(NonEmpty)),
    scopes: Type.Optional(Type.Array(NonEmpty)),
    instanceId: Type.Optional(NonEmpty),
  },
  { additionalProperties: false },
);
export type PresenceEntry = Static<typeof PresenceEntry>;
