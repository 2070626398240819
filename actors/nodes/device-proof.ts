import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { ConnectParams } from '../../protocol/connect.js';
import type { ErrorKey } from '../../protocol/errors.js';
import { normalizeMetadata } from '../../machines/device-pairing.js';

/** `DEVICE_SIGNATURE_SKEW_MS`: how far `signedAt` may be from the gateway's clock, either way. */
export const DEVICE_SIGNATURE_SKEW_MS = 120_000;
/** Longer base64 key or signature inputs are refused unread. */
const MAX_BASE64_CHARS = 4096;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A failed proof: its catalogue key and the `details.reason` the official server sends. */
export interface ProofFailure {
  readonly key: ErrorKey;
  readonly reason: string;
}

/** A verified proof. */
export interface VerifiedDevice {
  readonly deviceId: string;
  /** The key re-encoded as base64url of the 32 raw bytes. */
  readonly publicKey: string;
  readonly payloadVersion: 'v3' | 'v2';
}

/** Permissive base64/base64url decode (NODES.md §1.2); undefined when it is not base64 at all. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length > MAX_BASE64_CHARS) return undefined;
  const standard = text.trim().replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(standard)) return undefined;
  return Buffer.from(standard + '='.repeat((4 - (standard.length % 4)) % 4), 'base64');
}

/** The 32 raw Ed25519 key bytes from base64url, base64 or PEM; undefined when not a key. */
export function rawPublicKey(publicKey: string): Buffer | undefined {
  if (publicKey.includes('BEGIN')) {
    try {
      const der = createPublicKey(publicKey).export({ type: 'spki', format: 'der' });
      return der.subarray(0, 12).equals(SPKI_ED25519_PREFIX) ? der.subarray(12) : undefined;
    } catch {
      return undefined; // not a PEM key: reported as an invalid key by the caller
    }
  }
  const raw = decodeBase64(publicKey);
  return raw && raw.length === 32 ? raw : undefined;
}

/** `device.id` of a raw key: lowercase hex SHA-256. */
export const deviceIdOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');

function keyObjectOf(raw: Buffer): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined; // not a point on the curve: an invalid key
  }
}

/** The token slot of the signed string: `auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? ""`. */
export function signedToken(params: ConnectParams): string {
  return params.auth?.token ?? params.auth?.deviceToken ?? params.auth?.bootstrapToken ?? '';
}

/** The v3 and v2 strings a device signs (NODES.md §1.3), fields as the server plugs them in. */
export function signedPayloads(params: ConnectParams): { v3: string; v2: string } {
  const device = params.device;
  if (!device) throw new TypeError('signedPayloads: connect has no device');
  const fields = [
    device.id, params.client.id, params.client.mode, params.role ?? 'operator', (params.scopes ?? []).join(','),
    String(device.signedAt), signedToken(params), device.nonce.trim(),
  ];
  return {
    v3: ['v3', ...fields, normalizeMetadata(params.client.platform), normalizeMetadata(params.client.deviceFamily)].join('|'),
    v2: ['v2', ...fields].join('|'),
  };
}

/**
 * Verifies a connect's device proof against this socket's challenge nonce, in the official
 * order (NODES.md §1.4): id = sha256(key) → |now − signedAt| ≤ 120 s → nonce present → nonce is
 * this socket's → v3, then v2 signature → key usable.
 */
export function verifyDeviceProof(params: ConnectParams, challengeNonce: string, now: number): VerifiedDevice | ProofFailure {
  const device = params.device;
  if (!device) throw new TypeError('verifyDeviceProof: connect has no device');
  const raw = rawPublicKey(device.publicKey);
  // An undecodable key cannot hash to the id either: the official server reports the mismatch first.
  if (!raw || deviceIdOf(raw) !== device.id) return { key: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', reason: 'device-id-mismatch' };
  if (!Number.isFinite(device.signedAt) || Math.abs(now - device.signedAt) > DEVICE_SIGNATURE_SKEW_MS) {
    return { key: 'DEVICE_AUTH_SIGNATURE_EXPIRED', reason: 'device-signature-stale' };
  }
  const nonce = device.nonce.trim();
  if (nonce.length === 0) return { key: 'DEVICE_AUTH_NONCE_REQUIRED', reason: 'device-nonce-missing' };
  if (nonce !== challengeNonce) return { key: 'DEVICE_AUTH_NONCE_MISMATCH', reason: 'device-nonce-mismatch' };
  const signature = decodeBase64(device.signature);
  const key = keyObjectOf(raw);
  const payloads = signedPayloads(params);
  if (signature && signature.length === 64 && key) {
    if (verify(null, Buffer.from(payloads.v3, 'utf8'), key, signature)) return { deviceId: device.id, publicKey: raw.toString('base64url'), payloadVersion: 'v3' };
    if (verify(null, Buffer.from(payloads.v2, 'utf8'), key, signature)) return { deviceId: device.id, publicKey: raw.toString('base64url'), payloadVersion: 'v2' };
  }
  if (!key && signature && signature.length === 64) return { key: 'DEVICE_AUTH_PUBLIC_KEY_INVALID', reason: 'device-public-key' };
  return { key: 'DEVICE_AUTH_SIGNATURE_INVALID', reason: 'device-signature' };
}

/** True when `verifyDeviceProof` failed. */
export const isProofFailure = (result: VerifiedDevice | ProofFailure): result is ProofFailure => 'key' in result;
