import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodesGateway, NODES_TOKEN } from '../../helpers/nodes-gateway.js';
import { TestDevice, nodeParams } from '../../helpers/device-signer.js';
import type { Frame, RawClient } from '../../helpers/raw-client.js';

const errorOf = (res: Frame) => res.error as { code: string; message: string; details?: Record<string, unknown> };
const payloadOf = <T = Record<string, unknown>>(res: Frame) => res.payload as T;

/** A node that answers each node.invoke.request with `reply(request)` (undefined: no answer). */
function answer(node: RawClient, reply: (request: Record<string, unknown>) => Record<string, unknown> | undefined): void {
  node.ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type !== 'event' || frame.event !== 'node.invoke.request') return;
    const request = frame.payload as Record<string, unknown>;
    const result = reply(request);
    if (result) node.request('node.invoke.result', { id: request.id, nodeId: request.nodeId, ...result });
  });
}

describe('node surface and node.invoke', () => {
  const gw = new NodesGateway();
  let admin: RawClient;
  beforeAll(async () => {
    await gw.start();
    admin = await gw.operator();
  });
  afterAll(() => gw.stop());

  async function approvedNode(): Promise<{ node: RawClient; device: TestDevice }> {
    const device = TestDevice.random();
    const { client: node, res } = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect(res.ok).toBe(true);
    const pending = await admin.call('node.pair.list', {});
    const request = payloadOf<{ pending: Array<{ requestId: string; nodeId: string }> }>(pending).pending.find((p) => p.nodeId === device.id);
    const approved = await admin.call('node.pair.approve', { requestId: request?.requestId });
    expect(approved.ok).toBe(true);
    return { node, device };
  }

  it('keeps the surface pending until node.pair.approve with its requiredApproveScopes', async () => {
    const device = TestDevice.random();
    const { client: node } = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    const inventory = await node.call('node.runnerInventory.update', { protocolFeatures: [] });
    expect(errorOf(inventory)).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('awaiting operator approval') });
    const early = await admin.call('node.invoke', { nodeId: device.id, command: 'system.which', params: {}, idempotencyKey: 'k0' });
    // As the official answers it: the one node.invoke failure marked retryable.
    expect(errorOf(early)).toEqual({ code: 'UNAVAILABLE', message: 'node pairing changed while invocation was active', retryable: true, details: { code: 'PAIRING_CHANGED' } });
    const described = await admin.call('node.describe', { nodeId: device.id });
    expect(payloadOf(described)).toMatchObject({ nodeId: device.id, approvalState: 'pending-approval', caps: [], commands: [], connected: true, pendingDeclaredCommands: ['system.run', 'system.which'] });
    const list = await admin.call('node.pair.list', {});
    const request = payloadOf<{ pending: Array<Record<string, unknown>> }>(list).pending.find((p) => p.nodeId === device.id) as { requestId: string };
    const pairingOnly = await gw.operator(['operator.pairing']);
    const denied = await pairingOnly.call('node.pair.approve', { requestId: request.requestId });
    expect(errorOf(denied)).toMatchObject({ code: 'FORBIDDEN', message: 'missing scope: operator.admin' });
    pairingOnly.close();
    const approved = await admin.call('node.pair.approve', { requestId: request.requestId });
    expect(payloadOf(approved)).toMatchObject({ requestId: request.requestId, node: { nodeId: device.id, commands: ['system.run', 'system.which'], caps: ['system'] } });
    const resolved = await node.seen((f) => f.event === 'node.pair.resolved');
    expect(resolved).toMatchObject({ payload: { nodeId: device.id, decision: 'approved' } });
    expect(resolved.seq).toBeUndefined();
    expect((await node.call('node.runnerInventory.update', {})).payload).toEqual({ nodeId: device.id });
    const after = await admin.call('node.describe', { nodeId: device.id });
    expect(payloadOf(after)).toMatchObject({ approvalState: 'approved', commands: ['system.run', 'system.which'], paired: true });
    node.close();
  });

  it('round-trips an invoke, refuses commands outside the allowlist, relays host stats', async () => {
    const { node, device } = await approvedNode();
    answer(node, (request) => ({ ok: true, payloadJSON: JSON.stringify({ echo: JSON.parse(String(request.paramsJSON)), timeoutMs: request.timeoutMs }) }));
    const res = await admin.call('node.invoke', { nodeId: device.id, command: 'system.which', params: { bins: ['sh'] }, idempotencyKey: 'k1' });
    expect(res.payload).toMatchObject({ ok: true, nodeId: device.id, command: 'system.which', payload: { echo: { bins: ['sh'] } } });
    expect((payloadOf<{ payload: { timeoutMs: number } }>(res)).payload.timeoutMs).toBeLessThanOrEqual(30_000);
    const notAllowed = await admin.call('node.invoke', { nodeId: device.id, command: 'file.stat', params: {}, idempotencyKey: 'k2' });
    expect(errorOf(notAllowed)).toEqual({ code: 'INVALID_REQUEST', message: 'node command not allowed: "file.stat" is not in the allowlist for platform "linux"', details: { reason: 'command not allowlisted', command: 'file.stat' } });
    const approvals = await admin.call('node.invoke', { nodeId: device.id, command: 'system.execApprovals.get', idempotencyKey: 'k3' });
    expect(errorOf(approvals).message).toBe('node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*');
    const stats = await node.call('node.event', { event: 'node.host.stats', payloadJSON: JSON.stringify({ cpuCount: 2 }) });
    expect(stats.payload).toEqual({ ok: true, event: 'node.host.stats', handled: true, reason: 'updated' });
    expect((await admin.seen((f) => f.event === 'node.hostStats')).payload).toMatchObject({ nodeId: device.id, hostStats: { cpuCount: 2 } });
    node.close();
  });

  it('re-dispatches on NODE_NOT_READY with fresh ids, reports node errors, times out with a cancel', async () => {
    const { node, device } = await approvedNode();
    const seen: Array<Record<string, unknown>> = [];
    let mode: 'not-ready-twice' | 'boom' | 'hang' = 'not-ready-twice';
    answer(node, (request) => {
      seen.push(request);
      if (mode === 'hang') return undefined;
      if (mode === 'boom') return { ok: false, error: { code: 'BOOM', message: 'custom failure' } };
      return seen.length <= 2 ? { ok: false, error: { code: 'NODE_NOT_READY', message: 'not ready yet' } } : { ok: true, payload: { fine: true } };
    });
    const res = await admin.call('node.invoke', { nodeId: device.id, command: 'system.which', params: {}, idempotencyKey: 'same' });
    expect(res.payload).toMatchObject({ ok: true, payload: { fine: true }, payloadJSON: null });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => r.id)).size).toBe(3);
    expect(seen.every((r) => r.idempotencyKey === 'same')).toBe(true);
    mode = 'boom';
    const boom = await admin.call('node.invoke', { nodeId: device.id, command: 'system.which', params: {}, idempotencyKey: 'b' });
    expect(errorOf(boom)).toEqual({ code: 'UNAVAILABLE', message: 'BOOM: custom failure', details: { nodeError: { code: 'BOOM', message: 'custom failure' }, nodeCommandDispatched: true } });
    mode = 'hang';
    const slow = await admin.call('node.invoke', { nodeId: device.id, command: 'system.run', params: { command: ['sleep', '4'] }, timeoutMs: 300, idempotencyKey: 't' });
    expect(errorOf(slow)).toMatchObject({ code: 'UNAVAILABLE', message: 'TIMEOUT: node invoke timed out', details: { nodeError: { code: 'TIMEOUT' }, nodeCommandDispatched: true } });
    expect(errorOf(slow)).not.toHaveProperty('retryable');
    const cancel = await node.seen((f) => f.event === 'node.invoke.cancel');
    expect(cancel.payload).toEqual({ invokeId: seen.at(-1)?.id, nodeId: device.id });
    expect(JSON.parse(String(seen.at(-1)?.paramsJSON))).toMatchObject({ command: ['sleep', '4'], runId: expect.any(String) });

    // Killing the node mid-invoke fails the invoke at once; afterwards it is not connected.
    const pendingCall = admin.request('node.invoke', { nodeId: device.id, command: 'system.which', params: {}, idempotencyKey: 'd' });
    await node.seen(() => seen.length >= 6);
    node.close();
    const gone = await admin.response(pendingCall);
    expect(errorOf(gone)).toMatchObject({ code: 'UNAVAILABLE', message: 'DISCONNECTED: node disconnected (system.which)', details: { nodeError: { code: 'DISCONNECTED' } } });
    const offline = await admin.call('node.invoke', { nodeId: device.id, command: 'system.which', params: {}, idempotencyKey: 'o' });
    expect(errorOf(offline)).toMatchObject({ code: 'UNAVAILABLE', message: 'node not connected', details: { code: 'NOT_CONNECTED', nodeCommandDispatched: false } });
    expect(errorOf(gone)).not.toHaveProperty('retryable');
    expect(errorOf(offline)).not.toHaveProperty('retryable');
  });

  it('rejects a surface, removes a node (4001), and approvals survive a restart', async () => {
    const rejected = TestDevice.random();
    const { client: r } = await gw.connectDevice(rejected, nodeParams(NODES_TOKEN));
    const list = await admin.call('node.pair.list', {});
    const request = payloadOf<{ pending: Array<{ requestId: string; nodeId: string }> }>(list).pending.find((p) => p.nodeId === rejected.id);
    const res = await admin.call('node.pair.reject', { requestId: request?.requestId });
    expect(res.payload).toEqual({ requestId: request?.requestId, nodeId: rejected.id });
    expect(errorOf(await r.call('node.runnerInventory.update', {})).message).toBe('node runner inventory publication is not current; retry after pairing completes');
    expect(payloadOf(await admin.call('node.describe', { nodeId: rejected.id }))).toMatchObject({ approvalState: 'unapproved', commands: [] });
    r.close();

    const { node, device } = await approvedNode();
    node.close();
    await gw.restart();
    admin = await gw.operator();
    const listed = await admin.call('node.list', {});
    expect(payloadOf<{ nodes: Array<Record<string, unknown>> }>(listed).nodes.find((n) => n.nodeId === device.id)).toMatchObject({ approvalState: 'approved', paired: true, connected: false, commands: ['system.run', 'system.which'] });
    const { client: back } = await gw.connectDevice(device, nodeParams(NODES_TOKEN));
    expect(payloadOf(await admin.call('node.describe', { nodeId: device.id }))).toMatchObject({ approvalState: 'approved', connected: true });
    const removed = await admin.call('node.pair.remove', { nodeId: device.id });
    expect(removed.payload).toEqual({ nodeId: device.id });
    expect(await back.waitClosed()).toEqual({ code: 4001, reason: 'device removed' });
    expect((await admin.seen((f) => f.event === 'node.pair.resolved' && (f.payload as { decision?: string }).decision === 'removed')).payload).toMatchObject({ requestId: '', nodeId: device.id });
  });
});
