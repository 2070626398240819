import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** NODES.md §1.5: the fixed test key, Ed25519 seed = bytes 01 02 … 20. */
export const FIXED_SEED = Buffer.from('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A device key pair that signs connect proofs by hand, as a node or app would. */
export class TestDevice {
  readonly raw: Buffer;
  readonly publicKey: string;
  readonly id: string;

  constructor(readonly privateKey: KeyObject) {
    this.raw = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(12);
    this.publicKey = this.raw.toString('base64url');
    this.id = createHash('sha256').update(this.raw).digest('hex');
  }

  /** The fixed key of NODES.md §1.5. */
  static fixed(): TestDevice {
    return new TestDevice(createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, FIXED_SEED]), format: 'der', type: 'pkcs8' }));
  }

  /** A fresh random key. */
  static random(): TestDevice {
    return new TestDevice(generateKeyPairSync('ed25519').privateKey);
  }

  sign(payload: string): string {
    return sign(null, Buffer.from(payload, 'utf8'), this.privateKey).toString('base64url');
  }
}

const norm = (value: unknown): string => (typeof value === 'string' ? value.trim().replace(/[A-Z]/g, (c) => c.toLowerCase()) : '');

/** The v3 (or v2) string of a connect, exactly as NODES.md §1.3 builds it. */
export function payloadOf(version: 'v3' | 'v2', deviceId: string, params: Record<string, unknown>, signedAt: number, nonce: string): string {
  const client = params.client as Record<string, unknown>;
  const auth = (params.auth ?? {}) as Record<string, string | undefined>;
  const token = auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? '';
  const scopes = Array.isArray(params.scopes) ? (params.scopes as string[]) : [];
  const fields = [version, deviceId, String(client.id), String(client.mode), String(params.role ?? 'operator'), scopes.join(','), String(signedAt), token, nonce];
  return (version === 'v3' ? [...fields, norm(client.platform), norm(client.deviceFamily)] : fields).join('|');
}

/** Options to break one thing in a signed connect. */
export interface SignOptions {
  readonly version?: 'v3' | 'v2';
  readonly signedAt?: number;
  /** The nonce put in `device.nonce` (default the challenge's). */
  readonly nonce?: string;
  /** Sign this nonce instead of the one sent. */
  readonly signNonce?: string;
  readonly id?: string;
  readonly publicKey?: string;
  readonly signature?: string;
  /** Sign these params instead (e.g. sorted scopes) while sending `params`. */
  readonly signedParams?: Record<string, unknown>;
  /** Sign with another key. */
  readonly signer?: TestDevice;
}

/** Adds a `device` proof for `challenge` to connect params. */
export function withDevice(device: TestDevice, params: Record<string, unknown>, challenge: { nonce: string; ts: number }, options: SignOptions = {}): Record<string, unknown> {
  const signedAt = options.signedAt ?? challenge.ts;
  const nonce = options.nonce ?? challenge.nonce;
  const id = options.id ?? device.id;
  const payload = payloadOf(options.version ?? 'v3', id, options.signedParams ?? params, signedAt, options.signNonce ?? nonce);
  return {
    ...params,
    device: {
      id,
      publicKey: options.publicKey ?? device.publicKey,
      signature: options.signature ?? (options.signer ?? device).sign(payload),
      signedAt,
      nonce,
    },
  };
}

/** Connect params of a headless node host (as the official one sends them, trimmed). */
export function nodeParams(token: string | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: 'node-host', displayName: 'n1', version: '2026.9.6', platform: 'linux', deviceFamily: 'Linux', mode: 'node', instanceId: 'inst-1' },
    caps: ['system'],
    commands: ['system.run', 'system.which', 'file.stat'],
    role: 'node',
    scopes: [],
    ...(token !== undefined ? { auth: { token } } : {}),
    ...overrides,
  };
}
