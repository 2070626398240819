import { createHash, randomInt } from 'node:crypto';
import { PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH, PAIRING_LIMITS, pairingCode } from '../../machines/channel-access.js';
import type { PairingRequest } from '../../store/channel-account.js';

/* DM pairing (CHANNELS.md §3.7): codes, request ids, the reply an unknown sender gets. */

/** A fresh 8-character code from the unambiguous alphabet. */
export const newPairingCode = (): string =>
  pairingCode(Array.from({ length: PAIRING_CODE_LENGTH }, () => randomInt(PAIRING_CODE_ALPHABET.length)));

/** The opaque request id: base64url(sha256(channel \0 account \0 sender \0 createdAt))[0:32]. */
export const pairingRequestId = (channel: string, accountId: string, senderId: string, createdAt: number): string =>
  createHash('sha256').update(`${channel}\0${accountId}\0${senderId}\0${new Date(createdAt).toISOString()}`).digest('base64url').slice(0, 32);

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The reply to an unknown sender (HTML, as the official Telegram reply). */
export function pairingReplyHtml(channel: string, idLabel: string, senderId: string, code: string): string {
  return (
    `OpenClaw: access not configured.\n\n${idLabel}: ${escapeHtml(senderId)}\nPairing code:\n\n<pre><code>${code}\n</code></pre>\n` +
    `Ask the bot owner to approve with:\n\n<pre><code>openclaw pairing approve ${channel} ${code}\n</code></pre>`
  );
}

/** What an approved sender is told when the operator asks to notify them. */
export const APPROVAL_NOTICE = '✅ OpenClaw access approved. Send a message to start chatting.';

/** A request as `channels.pairing.list` shows it. */
export function pairingListEntry(request: PairingRequest, channel: string, label: string, accountId: string, senderLabel: string, notifySupported: boolean) {
  return {
    requestId: request.requestId,
    code: request.code,
    channel,
    channelLabel: label,
    accountId,
    senderId: request.senderId,
    senderLabel,
    metadata: { ...request.meta },
    createdAt: new Date(request.createdAt).toISOString(),
    lastSeenAt: new Date(request.lastSeenAt).toISOString(),
    expiresAt: new Date(request.expiresAt).toISOString(),
    notifySupported,
  };
}

export { PAIRING_LIMITS };
