import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawPublicKey, deviceIdOf, signedPayloads, verifyDeviceProof } from '../../../actors/nodes/device-proof.js';
import type { ConnectParams } from '../../../protocol/connect.js';
import { TestDevice } from '../../helpers/device-signer.js';

/** NODES.md §1.5, the worked example with the fixed key. */
const ID = '65b60673d6ed884bf01c2c222d82ada0740f29ac3355d6a925c81f17f47a27b8';
const KEY = 'ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ';
const NONCE = '7ce8d235-7f00-45a6-b87c-829ef6f5917a';
const TS = 1796150637873;
const V3_SIG = 'Hm7QDd1mfGxb_Os4EhmIIZc8sDB3Uu8Fzvu1BhgA71W26dnuByWEfZH8fqmLRyU2rW2tj5IcoK_sPONnVPYnDQ';
const V2_SIG = '73JNIhImlLXV-aMPNR3W3MrF9dSQ0yqHFy0q4-dd6R98M6KPjqzJpcTpxBs6CYOJbbWfkeD7aSkm84iDcuU-CQ';
const OP_SIG = '42A_MjARJofqwC_dbv8n2IejPx1i7812EvnT1qR8t73tg8kHa70euQyrGt4pjeJ87ABT4mIm4ITAMv86TSgiBg';

function nodeConnect(signature: string): ConnectParams {
  return {
    minProtocol: 4, maxProtocol: 4,
    client: { id: 'node-host', mode: 'node', platform: 'linux', deviceFamily: 'Linux', version: '1' },
    role: 'node', scopes: [], auth: { token: 'T0k3n' },
    device: { id: ID, publicKey: KEY, signature, signedAt: TS, nonce: NONCE },
  };
}

describe('device proof (NODES.md §1.5 worked example)', () => {
  it('derives the documented public key and device id from the fixed seed', () => {
    const device = TestDevice.fixed();
    expect(device.publicKey).toBe(KEY);
    expect(device.id).toBe(ID);
    expect(deviceIdOf(rawPublicKey(KEY) as Buffer)).toBe(ID);
  });

  it('builds the documented v3 and v2 strings and the fixed key signs them as documented', () => {
    const { v3, v2 } = signedPayloads(nodeConnect(V3_SIG));
    expect(v3).toBe(`v3|${ID}|node-host|node|node||${TS}|T0k3n|${NONCE}|linux|linux`);
    expect(v2).toBe(`v2|${ID}|node-host|node|node||${TS}|T0k3n|${NONCE}`);
    expect(TestDevice.fixed().sign(v3)).toBe(V3_SIG);
    expect(TestDevice.fixed().sign(v2)).toBe(V2_SIG);
  });

  it('accepts the v3 signature, then the v2 one, within the skew window', () => {
    expect(verifyDeviceProof(nodeConnect(V3_SIG), NONCE, TS + 100_000)).toEqual({ deviceId: ID, publicKey: KEY, payloadVersion: 'v3' });
    expect(verifyDeviceProof(nodeConnect(V2_SIG), NONCE, TS - 100_000)).toEqual({ deviceId: ID, publicKey: KEY, payloadVersion: 'v2' });
  });

  it('verifies the operator variant (trimmed, lower-cased platform, no deviceFamily, no token)', () => {
    const params: ConnectParams = {
      minProtocol: 4, maxProtocol: 4,
      client: { id: 'cli', mode: 'cli', platform: ' Linux ', version: '1' },
      role: 'operator', scopes: ['operator.read', 'operator.write'],
      device: { id: ID, publicKey: KEY, signature: OP_SIG, signedAt: TS, nonce: NONCE },
    };
    expect(signedPayloads(params).v3).toBe(`v3|${ID}|cli|cli|operator|operator.read,operator.write|${TS}||${NONCE}|linux|`);
    expect(verifyDeviceProof(params, NONCE, TS)).toMatchObject({ payloadVersion: 'v3' });
  });

  it('normalises standard base64 and PEM forms of the key to the same id', () => {
    const raw = rawPublicKey(KEY) as Buffer;
    expect(rawPublicKey(raw.toString('base64'))?.equals(raw)).toBe(true);
    expect(rawPublicKey(raw.toString('base64').replace(/=+$/, ''))?.equals(raw)).toBe(true);
    const pem = createPublicKey(TestDevice.fixed().privateKey).export({ type: 'spki', format: 'pem' }).toString();
    expect(rawPublicKey(pem)?.equals(raw)).toBe(true);
  });

  it('refuses each broken part in the official order (§1.4)', () => {
    const base = nodeConnect(V3_SIG);
    const withDevice = (patch: Partial<NonNullable<ConnectParams['device']>>): ConnectParams => ({ ...base, device: { ...(base.device as NonNullable<ConnectParams['device']>), ...patch } });
    expect(verifyDeviceProof(withDevice({ id: '0'.repeat(64) }), NONCE, TS)).toEqual({ key: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', reason: 'device-id-mismatch' });
    expect(verifyDeviceProof(withDevice({ publicKey: 'garbage!!' }), NONCE, TS)).toEqual({ key: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', reason: 'device-id-mismatch' });
    expect(verifyDeviceProof(base, NONCE, TS + 130_000)).toEqual({ key: 'DEVICE_AUTH_SIGNATURE_EXPIRED', reason: 'device-signature-stale' });
    expect(verifyDeviceProof(base, NONCE, TS - 125_000)).toEqual({ key: 'DEVICE_AUTH_SIGNATURE_EXPIRED', reason: 'device-signature-stale' });
    expect(verifyDeviceProof(withDevice({ nonce: '   ' }), NONCE, TS)).toEqual({ key: 'DEVICE_AUTH_NONCE_REQUIRED', reason: 'device-nonce-missing' });
    expect(verifyDeviceProof(base, 'another-challenge', TS)).toEqual({ key: 'DEVICE_AUTH_NONCE_MISMATCH', reason: 'device-nonce-mismatch' });
    expect(verifyDeviceProof(withDevice({ signature: V2_SIG.replace('7', '8') }), NONCE, TS)).toEqual({ key: 'DEVICE_AUTH_SIGNATURE_INVALID', reason: 'device-signature' });
    // The v2 signature is not valid for the v3 string of other fields: a changed role breaks both.
    expect(verifyDeviceProof({ ...base, role: 'operator' }, NONCE, TS)).toEqual({ key: 'DEVICE_AUTH_SIGNATURE_INVALID', reason: 'device-signature' });
  });
});
