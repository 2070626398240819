import { Type, type Static } from '@sinclair/typebox';

/**
 * `web.login.start` / `web.login.wait`: the WhatsApp QR login over RPC (CHANNELS.md §3.6), for
 * the Control UI and chat tools. Both answer `ok:true` with a message even when the login fails;
 * only a missing provider is an error.
 */

const Closed = { additionalProperties: false } as const;

export const WebLoginStartParams = Type.Object(
  {
    channel: Type.Optional(Type.String()),
    /** Relink: drop the saved auth first. */
    force: Type.Optional(Type.Boolean()),
    /** How long to wait for the first QR (default 30 s, at least 5 s). */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
    verbose: Type.Optional(Type.Boolean()),
    accountId: Type.Optional(Type.String()),
  },
  Closed,
);
export type WebLoginStartParams = Static<typeof WebLoginStartParams>;

export const WebLoginStartResult = Type.Object({
  qrDataUrl: Type.Optional(Type.String({ pattern: '^data:image/png;base64,' })),
  message: Type.String(),
  connected: Type.Optional(Type.Boolean()),
  code: Type.Optional(Type.String()),
});
export type WebLoginStartResult = Static<typeof WebLoginStartResult>;

export const WebLoginWaitParams = Type.Object(
  {
    channel: Type.Optional(Type.String()),
    sessionKey: Type.Optional(Type.String()),
    /** How long to wait for the scan (default 120 s, at least 1 s). */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
    accountId: Type.Optional(Type.String()),
    /** The QR the caller shows: a different one comes back as "QR refreshed". */
    currentQrDataUrl: Type.Optional(Type.String({ pattern: '^data:image/png;base64,', maxLength: 16_384 })),
  },
  Closed,
);
export type WebLoginWaitParams = Static<typeof WebLoginWaitParams>;

export const WebLoginWaitResult = Type.Object({
  connected: Type.Boolean(),
  message: Type.String(),
  qrDataUrl: Type.Optional(Type.String()),
});
export type WebLoginWaitResult = Static<typeof WebLoginWaitResult>;
