import { Type, type Static } from '@sinclair/typebox';

/*
 * Device pairing (NODES.md §2.2–2.4, §2.6): journal facts of the `device:<deviceId>` streams and
 * the params/results of `device.pair.*` and `device.token.*`. Only a SHA-256 hash of a device
 * token is ever journaled.
 */

const NonEmpty = Type.String({ minLength: 1 });
const Ms = Type.Integer({ minimum: 0 });
const Strings = Type.Array(Type.String());
const Open = { additionalProperties: true } as const;
const Closed = { additionalProperties: false } as const;

/** Why a device must be (re-)approved. */
export const PairingReason = Type.Union([
  Type.Literal('not-paired'), Type.Literal('role-upgrade'), Type.Literal('scope-upgrade'), Type.Literal('metadata-upgrade'),
]);
export type PairingReason = Static<typeof PairingReason>;

/** How an approval came about. */
export const ApprovedVia = Type.Union([Type.Literal('silent'), Type.Literal('owner')]);
export type ApprovedVia = Static<typeof ApprovedVia>;

/** What a pairing request, its approval and a paired device all say: the device and what it asked for. */
const deviceKeys = {
  deviceId: NonEmpty,
  publicKey: NonEmpty,
  displayName: Type.Optional(Type.String()),
  platform: Type.Optional(Type.String()),
  deviceFamily: Type.Optional(Type.String()),
  clientId: Type.String(),
  clientMode: Type.String(),
  role: Type.String(),
  roles: Strings,
  scopes: Strings,
};
/** A pairing request and its approval: the request id, then the device's keys. */
const pairingKeys = { requestId: NonEmpty, ...deviceKeys };

/** A pending device pairing request (= `device.pair.requested` payload, NODES.md §2.6). */
export const DevicePairRequest = Type.Object(
  {
    ...pairingKeys,
    silent: Type.Boolean(),
    isRepair: Type.Boolean(),
    remoteIp: Type.Optional(Type.String()),
    browserOrigin: Type.Optional(Type.String()),
    ts: Ms,
  },
  Closed,
);
export type DevicePairRequest = Static<typeof DevicePairRequest>;

/** Journal facts of a `device:<deviceId>` stream (device layer). */
export const DeviceFactPayloads = {
  /** A connect asked for pairing that was not granted inline; pending for 5 minutes. */
  'device.pair.requested': Type.Object({ request: DevicePairRequest, reason: PairingReason }, Closed),
  /** The device (or its new role/scopes/metadata) was approved; roles/scopes are the full approved sets. */
  'device.pair.approved': Type.Object(
    {
      ...pairingKeys,
      approvedVia: ApprovedVia,
      ts: Ms,
    },
    Closed,
  ),
  /** A pending request ended without approval. */
  'device.pair.rejected': Type.Object(
    { requestId: NonEmpty, deviceId: NonEmpty, reason: Type.Union([Type.Literal('rejected'), Type.Literal('superseded')]), ts: Ms },
    Closed,
  ),
  /** A device token was minted (or rotated) for one role; only its SHA-256 hex is kept. */
  'device.token.issued': Type.Object(
    { deviceId: NonEmpty, role: NonEmpty, scopes: Strings, hash: NonEmpty, createdAtMs: Ms, rotatedAtMs: Type.Optional(Ms) },
    Closed,
  ),
  /** A role's device token was revoked. */
  'device.token.revoked': Type.Object({ deviceId: NonEmpty, role: NonEmpty, ts: Ms }, Closed),
  /** One role was taken from the device (its token dropped). */
  'device.role.removed': Type.Object({ deviceId: NonEmpty, role: NonEmpty, ts: Ms }, Closed),
  /** The device was removed: approvals and tokens are gone. */
  'device.removed': Type.Object({ deviceId: NonEmpty, ts: Ms }, Closed),
  /** An operator labelled the device. */
  'device.renamed': Type.Object({ deviceId: NonEmpty, label: Type.String({ maxLength: 64 }) }, Closed),
} as const;

/** One issued token as listed (never the token itself). */
const TokenSummary = Type.Object({ role: Type.String(), scopes: Strings, createdAtMs: Ms, rotatedAtMs: Type.Optional(Ms) }, Open);

/** A paired device as `device.pair.list` lists it. */
export const PairedDevice = Type.Object(
  {
    ...deviceKeys,
    approvedVia: Type.String(),
    label: Type.Optional(Type.String()),
    createdAtMs: Ms,
    approvedAtMs: Ms,
    lastSeenAtMs: Type.Optional(Ms),
    lastSeenReason: Type.Optional(Type.String()),
    connected: Type.Boolean(),
    tokens: Type.Array(TokenSummary),
  },
  Open,
);
export type PairedDevice = Static<typeof PairedDevice>;

export const DevicePairListParams = Type.Object({}, Closed);
export const DevicePairListResult = Type.Object({ pending: Type.Array(DevicePairRequest), paired: Type.Array(PairedDevice) }, Open);
export const DevicePairRequestIdParams = Type.Object({ requestId: NonEmpty }, Closed);
export type DevicePairRequestIdParams = Static<typeof DevicePairRequestIdParams>;
export const DevicePairApproveResult = Type.Object({ requestId: NonEmpty, device: PairedDevice }, Open);
export const DevicePairRejectResult = Type.Object({ requestId: NonEmpty, deviceId: NonEmpty }, Open);
export const DeviceIdParams = Type.Object({ deviceId: NonEmpty }, Closed);
export type DeviceIdParams = Static<typeof DeviceIdParams>;
export const DeviceIdResult = Type.Object({ deviceId: NonEmpty }, Open);
export const DevicePairRenameParams = Type.Object({ deviceId: NonEmpty, label: Type.String({ minLength: 1, maxLength: 64 }) }, Closed);
export type DevicePairRenameParams = Static<typeof DevicePairRenameParams>;
export const DevicePairRenameResult = Type.Object({ deviceId: NonEmpty, label: Type.String() }, Open);
export const DeviceTokenRotateParams = Type.Object({ deviceId: NonEmpty, role: NonEmpty, scopes: Type.Optional(Type.Array(NonEmpty)) }, Closed);
export type DeviceTokenRotateParams = Static<typeof DeviceTokenRotateParams>;
export const DeviceTokenRotateResult = Type.Object(
  {
    deviceId: NonEmpty, role: NonEmpty, scopes: Strings, rotatedAtMs: Ms,
    tokenDelivery: Type.Union([Type.Literal('withheld-cross-device'), Type.Literal('in-band')]),
    token: Type.Optional(NonEmpty),
  },
  Open,
);
export const DeviceTokenRevokeParams = Type.Object({ deviceId: NonEmpty, role: NonEmpty }, Closed);
export type DeviceTokenRevokeParams = Static<typeof DeviceTokenRevokeParams>;
export const DeviceTokenRevokeResult = Type.Object({ deviceId: NonEmpty, role: NonEmpty, revokedAtMs: Ms }, Open);

/** `device.pair.resolved` payload. */
export const DevicePairResolved = Type.Object(
  { requestId: Type.String(), deviceId: NonEmpty, decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]), ts: Ms },
  Closed,
);
export type DevicePairResolved = Static<typeof DevicePairResolved>;
