import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodesGateway, NODES_TOKEN } from '../../helpers/nodes-gateway.js';
import { TestDevice, nodeParams, withDevice } from '../../helpers/device-signer.js';
import { connectParams, type Frame, type RawClient } from '../../helpers/raw-client.js';

const errorOf = (res: Frame) => res.error as { code: string; message: string; details?: Record<string, unknown> };
const helloAuth = (res: Frame) => (res.payload as { auth: Record<string, unknown> }).auth;

describe('device proof at connect: every row of NODES.md §1.4 over a real socket', () => {
  const gw = new NodesGateway();
  const device = TestDevice.fixed();
  beforeAll(() => gw.start());
  afterAll(() => gw.stop());

  async function refused(params: Record<string, unknown>, options: Parameters<typeof withDevice>[3] = {}) {
    const { client, res } = await gw.connectDevice(device, params, options);
    const close = await client.waitClosed();
    return { error: errorOf(res), close };
  }

  it('row 0: a node without a device is NOT_PAIRED, close 1008', async () => {
    const { client } = await gw.open();
    const res = await client.call('connect', nodeParams(NODES_TOKEN));
    expect(res.error).toEqual({ code: 'NOT_PAIRED', message: 'device identity required', details: { code: 'DEVICE_IDENTITY_REQUIRED' } });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: 'device identity required' });
  });

  it.each([
    ['id mismatch', { id: 'ab'.repeat(32) }, 'device identity mismatch', 'DEVICE_AUTH_DEVICE_ID_MISMATCH', 'device-id-mismatch'],
    ['signedAt 130 s old', { signedAt: Date.now() - 130_000 }, 'device signature expired', 'DEVICE_AUTH_SIGNATURE_EXPIRED', 'device-signature-stale'],
    ['signedAt 125 s ahead', { signedAt: Date.now() + 125_000 }, 'device signature expired', 'DEVICE_AUTH_SIGNATURE_EXPIRED', 'device-signature-stale'],
    ['blank nonce', { nonce: '  ' }, 'device nonce required', 'DEVICE_AUTH_NONCE_REQUIRED', 'device-nonce-missing'],
    ['another nonce', { nonce: 'not-this-sockets-nonce' }, 'device nonce mismatch', 'DEVICE_AUTH_NONCE_MISMATCH', 'device-nonce-mismatch'],
    ['forged signature', { signer: TestDevice.random() }, 'device signature invalid', 'DEVICE_AUTH_SIGNATURE_INVALID', 'device-signature'],
  ] as const)('%s → %s', async (_name, options, message, code, reason) => {
    const { error, close } = await refused(nodeParams(NODES_TOKEN), options);
    expect(error).toEqual({ code: 'INVALID_REQUEST', message, details: { code, reason } });
    expect(close).toEqual({ code: 1008, reason: message });
  });

  it('a replayed proof (valid for another socket) is refused as a nonce mismatch', async () => {
    const first = await gw.open();
    const captured = withDevice(device, nodeParams(NODES_TOKEN), first.challenge);
    first.client.close();
    const { client } = await gw.open();
    const res = await client.call('connect', captured);
    expect(errorOf(res).details).toEqual({ code: 'DEVICE_AUTH_NONCE_MISMATCH', reason: 'device-nonce-mismatch' });
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it('scopes signed sorted but sent unsorted fail the signature; v2 and a signedAt 100 s old pass', async () => {
    const params = connectParams({ scopes: ['operator.write', 'operator.read'] }, NODES_TOKEN);
    const { error } = await refused(params, { signedParams: { ...params, scopes: ['operator.read', 'operator.write'] } });
    expect(error.details?.code).toBe('DEVICE_AUTH_SIGNATURE_INVALID');
    const v2 = await gw.connectDevice(TestDevice.random(), nodeParams(NODES_TOKEN), { version: 'v2', signedAt: Date.now() - 100_000 });
    expect(v2.res.ok).toBe(true);
    v2.client.close();
  });

  it('a garbage public key fails at the id check, never admitted', async () => {
    const { error } = await refused(nodeParams(NODES_TOKEN), { publicKey: 'AAAA', id: device.id });
    expect(error.details?.code).toBe('DEVICE_AUTH_DEVICE_ID_MISMATCH');
  });
});

describe('device pairing on loopback (silent) and device tokens', () => {
  const gw = new NodesGateway();
  beforeAll(() => gw.start());
  afterAll(() => gw.stop());

  it('pairs a loopback node silently, issues a device token and files a silent surface request', async () => {
    const watcher = await gw.operator();
    const device = TestDevice.random();
    const { client, res } = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect(res.ok).toBe(true);
    const auth = helloAuth(res);
    expect(auth).toMatchObject({ method: 'token', role: 'node', scopes: [] });
    expect(auth.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const resolved = await watcher.event('device.pair.resolved');
    expect(resolved.payload).toMatchObject({ deviceId: device.id, decision: 'approved' });
    expect(resolved.seq).toBeUndefined();
    const surface = await watcher.event('node.pair.requested');
    expect(surface.payload).toMatchObject({ nodeId: device.id, commands: ['system.run', 'system.which'], silent: true, requiredApproveScopes: ['operator.pairing', 'operator.admin'] });
    expect(watcher.events('device.pair.requested')).toEqual([]);
    client.close();

    // Reconnect with the device token only: accepted as device-token, same token echoed.
    const again = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: auth.deviceToken } }));
    expect(helloAuth(again.res)).toMatchObject({ method: 'device-token', deviceToken: auth.deviceToken });
    again.client.close();
    // The token in auth.token works too.
    const asToken = await gw.connectDevice(device, nodeParams(String(auth.deviceToken)));
    expect(helloAuth(asToken.res)).toMatchObject({ method: 'device-token' });
    asToken.client.close();

    // A wrong device token, and a wrong shared token with a device.
    const bad = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: 'x'.repeat(43) } }));
    expect(errorOf(bad.res)).toMatchObject({ code: 'INVALID_REQUEST', message: 'unauthorized: device token mismatch (rotate/reissue device token)', details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH' } });
    expect((await bad.client.waitClosed()).code).toBe(1008);
    const wrong = await gw.connectDevice(device, nodeParams('wrong'));
    expect(errorOf(wrong.res).details).toMatchObject({ code: 'AUTH_TOKEN_MISMATCH', canRetryWithDeviceToken: true, recommendedNextStep: 'retry_with_device_token' });

    // device.pair.list shows it paired, with a token summary and no token value.
    const list = await watcher.call('device.pair.list', {});
    const paired = (list.payload as { paired: Array<Record<string, unknown>> }).paired.find((d) => d.deviceId === device.id);
    expect(paired).toMatchObject({ approvedVia: 'silent', roles: ['node'], tokens: [{ role: 'node', scopes: [] }] });
    expect(JSON.stringify(list.payload)).not.toContain(String(auth.deviceToken));

    // Revoke: the token no longer admits the device.
    const revoked = await watcher.call('device.token.revoke', { deviceId: device.id, role: 'node' });
    expect(revoked.ok).toBe(true);
    const after = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: auth.deviceToken } }));
    expect(errorOf(after.res).details).toMatchObject({ code: 'AUTH_DEVICE_TOKEN_MISMATCH' });
    watcher.close();
  });

  it('rotates a token (withheld cross-device) and the rotated token admits, the old one not', async () => {
    const admin = await gw.operator();
    const device = TestDevice.random();
    const first = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    const old = String(helloAuth(first.res).deviceToken);
    first.client.close();
    const rotated = await admin.call('device.token.rotate', { deviceId: device.id, role: 'node' });
    expect(rotated.payload).toMatchObject({ deviceId: device.id, role: 'node', scopes: [], tokenDelivery: 'withheld-cross-device' });
    expect((rotated.payload as Record<string, unknown>).token).toBeUndefined();
    const stale = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: old } }));
    expect(errorOf(stale.res).details).toMatchObject({ code: 'AUTH_DEVICE_TOKEN_MISMATCH' });
    // Connecting with the shared token hands out the new one.
    const fresh = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    const next = String(helloAuth(fresh.res).deviceToken);
    expect(next).not.toBe(old);
    fresh.client.close();
    const byToken = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: next } }));
    expect(helloAuth(byToken.res).method).toBe('device-token');
    byToken.client.close();
    admin.close();
  });

  it('pairs an operator device silently, then upgrades its scopes silently (shared token)', async () => {
    const device = TestDevice.random();
    const read = await gw.connectDevice(device, connectParams({ scopes: ['operator.read'] }, NODES_TOKEN));
    expect(helloAuth(read.res)).toMatchObject({ method: 'token', scopes: ['operator.read'] });
    read.client.close();
    const more = await gw.connectDevice(device, connectParams({ scopes: ['operator.read', 'operator.pairing'] }, NODES_TOKEN));
    expect(more.res.ok).toBe(true);
    const list = await more.client.call('device.pair.list', {});
    const row = (list.payload as { paired: Array<Record<string, unknown>> }).paired.find((d) => d.deviceId === device.id);
    expect(row?.scopes).toEqual(['operator.read', 'operator.pairing']);
    more.client.close();
  });

  it('a connect relayed by a proxy (X-Forwarded-For) is not paired silently', async () => {
    const device = TestDevice.random();
    const { client, res } = await gw.connectDevice(device, nodeParams(NODES_TOKEN), {}, { 'X-Forwarded-For': '203.0.113.9' });
    expect(errorOf(res)).toMatchObject({ code: 'NOT_PAIRED', message: 'pairing required: device is not approved yet', details: { code: 'PAIRING_REQUIRED', reason: 'not-paired', deviceId: device.id, requestedRole: 'node' } });
    const close = await client.waitClosed();
    expect(close.code).toBe(1008);
    expect(close.reason).toMatch(/^pairing required: device is not approved yet \(requestId: [0-9a-f-]{36}\)$/);
  });

  it('the Control UI on loopback (with an Origin) is paired silently; another browser client is not', async () => {
    const ui = TestDevice.random();
    const uiParams = connectParams({ client: { id: 'openclaw-control-ui', version: '1', platform: 'Linux x86_64', mode: 'webchat' }, scopes: ['operator.read'] }, NODES_TOKEN);
    const ok = await gw.connectDevice(ui, uiParams, { version: 'v2' }, { Origin: 'http://127.0.0.1' });
    expect(ok.res.ok).toBe(true);
    expect(helloAuth(ok.res).deviceToken).toBeDefined();
    ok.client.close();
    // A loopback Origin (a foreign one is refused earlier, CONTROL_UI_ORIGIN_NOT_ALLOWED): still no silent pairing.
    const other = await gw.connectDevice(TestDevice.random(), connectParams({ scopes: ['operator.read'] }, NODES_TOKEN), {}, { Origin: 'http://localhost:9' });
    expect(errorOf(other.res).details?.code).toBe('PAIRING_REQUIRED');
  });
});

describe('manual pairing (autoApproveLocal: false), removal, restart', () => {
  const gw = new NodesGateway({ autoApproveLocal: false, commands: { allow: [], deny: [] } });
  beforeAll(() => gw.start());
  afterAll(() => gw.stop());

  async function pend(device: TestDevice, watcher: RawClient): Promise<string> {
    const { client, res } = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect(errorOf(res).code).toBe('NOT_PAIRED');
    await client.waitClosed();
    const requested = await watcher.seen((f) => f.event === 'device.pair.requested' && (f.payload as { deviceId?: string }).deviceId === device.id);
    expect(requested.seq).toBeUndefined();
    expect(requested.payload).toMatchObject({ deviceId: device.id, role: 'node', silent: false, isRepair: false, clientId: 'node-host' });
    return String((errorOf(res).details as Record<string, unknown>).requestId);
  }

  it('files a request, reuses it on retry, approves it (admin needed for a node), then admits with a token', async () => {
    const watcher = await gw.operator();
    const device = TestDevice.random();
    const requestId = await pend(device, watcher);
    expect((requestId.match(/-/g) ?? []).length).toBe(4);
    const retry = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect((errorOf(retry.res).details as Record<string, unknown>).requestId).toBe(requestId);
    const pairingOnly = await gw.operator(['operator.pairing']);
    const denied = await pairingOnly.call('device.pair.approve', { requestId });
    expect(denied.error).toEqual({ code: 'INVALID_REQUEST', message: 'device pairing approval denied' });
    const listed = await watcher.call('device.pair.list', {});
    expect((listed.payload as { pending: Array<{ requestId: string }> }).pending.map((p) => p.requestId)).toContain(requestId);
    const approved = await watcher.call('device.pair.approve', { requestId });
    expect(approved.payload).toMatchObject({ requestId, device: { deviceId: device.id, approvedVia: 'owner', roles: ['node'] } });
    expect((await watcher.seen((f) => f.event === 'device.pair.resolved' && (f.payload as { requestId?: string }).requestId === requestId)).payload).toMatchObject({ decision: 'approved' });
    const admitted = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect(helloAuth(admitted.res)).toMatchObject({ method: 'token', role: 'node' });
    const token = String(helloAuth(admitted.res).deviceToken);

    // Survives a restart: the approval and the token come from the journal.
    admitted.client.close();
    await gw.restart();
    const back = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: token } }));
    expect(helloAuth(back.res)).toMatchObject({ method: 'device-token', deviceToken: token });

    // Removal closes the device's sockets with 4001; it must pair again.
    const admin = await gw.operator();
    const removed = await admin.call('device.pair.remove', { deviceId: device.id });
    expect(removed.payload).toEqual({ deviceId: device.id });
    expect(await back.client.waitClosed()).toEqual({ code: 4001, reason: 'device removed' });
    const gone = await gw.connectDevice(device, nodeParams(undefined, { auth: { deviceToken: token } }));
    expect(errorOf(gone.res).details).toMatchObject({ code: 'AUTH_DEVICE_TOKEN_MISMATCH' });
    admin.close();
    pairingOnly.close();
    watcher.close();
  });

  it('rejects a request: it leaves the pending list and the device stays unpaired', async () => {
    const watcher = await gw.operator();
    const device = TestDevice.random();
    const requestId = await pend(device, watcher);
    const rejected = await watcher.call('device.pair.reject', { requestId });
    expect(rejected.payload).toEqual({ requestId, deviceId: device.id });
    expect((await watcher.seen((f) => f.event === 'device.pair.resolved' && (f.payload as { requestId?: string }).requestId === requestId)).payload).toMatchObject({ decision: 'rejected' });
    const again = await watcher.call('device.pair.approve', { requestId });
    expect(errorOf(again).code).toBe('INVALID_REQUEST');
    const retry = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect((errorOf(retry.res).details as Record<string, unknown>).requestId).not.toBe(requestId);
    watcher.close();
  });
});

describe('the seq rule while pairing events flow (issue 9 item 5)', () => {
  const gw = new NodesGateway();
  beforeAll(() => gw.start());
  afterAll(() => gw.stop());

  it('a connection with and one without operator.pairing both see a dense seq', async () => {
    const pairing = await gw.operator(['operator.read', 'operator.pairing']);
    const reader = await gw.operator(['operator.read']);
    const sockets: RawClient[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { client, res } = await gw.connectDevice(TestDevice.random(), nodeParams(NODES_TOKEN));
      expect(res.ok).toBe(true);
      sockets.push(client);
    }
    for (const client of sockets) client.close();
    // Ten presence changes (5 connects, 5 disconnects) reach both; the pairing events only the first.
    const presences = (c: RawClient) => c.events('presence').length;
    await pairing.seen(() => presences(pairing) >= 10);
    await reader.seen(() => presences(reader) >= 10);
    expect(pairing.events('device.pair.resolved').length).toBe(5);
    expect(pairing.events('node.pair.requested').length).toBe(5);
    expect(reader.events('device.pair.resolved')).toEqual([]);
    for (const client of [pairing, reader]) {
      const seqs = client.log.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number);
      expect(seqs.length).toBeGreaterThanOrEqual(10);
      seqs.forEach((seq, i) => i > 0 && expect(seq).toBe((seqs[i - 1] as number) + 1));
    }
    for (const event of [...pairing.events('device.pair.resolved'), ...pairing.events('node.pair.requested')]) expect(event.seq).toBeUndefined();
    pairing.close();
    reader.close();
  });
});
