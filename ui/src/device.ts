/*
 * The browser's device identity: an Ed25519 key made with WebCrypto, its private half not
 * extractable and kept in IndexedDB (script on the page can sign with it but never read it).
 * deviceId = hex sha256 of the raw public key; the connect proof signs the v3 payload.
 */

const DB = 'openclaw-control-ui';
const STORE = 'device';
const KEY = 'identity-v1';

export interface DeviceIdentity {
  readonly deviceId: string;
  /** base64url (no padding) of the 32 raw public-key bytes. */
  readonly publicKey: string;
  readonly privateKey: CryptoKey;
}

const b64url = (bytes: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const hex = (bytes: ArrayBuffer): string => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function idb<T>(db: IDBDatabase, mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = run(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

let cached: Promise<DeviceIdentity> | undefined;

/** This browser's identity, created on first use. */
export function deviceIdentity(): Promise<DeviceIdentity> {
  cached ??= (async () => {
    const db = await openDb();
    const stored = await idb<{ publicKey: string; deviceId: string; privateKey: CryptoKey } | undefined>(db, 'readonly', (s) => s.get(KEY));
    if (stored) return stored;
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
    const identity = { publicKey: b64url(raw), deviceId: hex(await crypto.subtle.digest('SHA-256', raw)), privateKey: pair.privateKey };
    await idb(db, 'readwrite', (s) => s.put(identity, KEY));
    return identity;
  })();
  return cached;
}

const norm = (value: string | undefined): string => (typeof value === 'string' ? value.trim().replace(/[A-Z]/g, (c) => c.toLowerCase()) : '');

/** The v3 device-auth payload (NODES.md §1.3). */
export function devicePayloadV3(p: {
  deviceId: string; clientId: string; clientMode: string; role: string; scopes: readonly string[];
  signedAt: number; token: string | undefined; nonce: string; platform?: string; deviceFamily?: string;
}): string {
  return ['v3', p.deviceId, p.clientId, p.clientMode, p.role, p.scopes.join(','), String(p.signedAt), p.token ?? '', p.nonce, norm(p.platform), norm(p.deviceFamily)].join('|');
}

/** base64url of the Ed25519 signature of `payload`. */
export async function sign(identity: DeviceIdentity, payload: string): Promise<string> {
  return b64url(await crypto.subtle.sign({ name: 'Ed25519' }, identity.privateKey, new TextEncoder().encode(payload)));
}
