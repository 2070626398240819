import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, RawClient, type Frame } from '../helpers/raw-client.js';
import { TestDevice, nodeParams, withDevice } from '../helpers/device-signer.js';
import { ensureOfficial, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli } from '../helpers/official.js';

/**
 * The official CLI's pairing commands against our gateway in manual mode
 * (`gateway.nodes.pairing.autoApproveLocal:false`), with a hand-signed node (NODES.md §3.5):
 * `devices list` shows the pending device request, `devices approve` approves it (its first try
 * with only `operator.pairing` is denied for a node request and retried with `operator.admin`),
 * `nodes list` shows the node with its pending surface, `nodes reject` rejects the surface,
 * `nodes approve` approves the next request, `nodes remove` drops the node and closes it with 4001.
 */

let gateway: GatewayProcess;
let stateDir: string;
let operator: RawClient;
const device = TestDevice.random();
const sockets: RawClient[] = [];

const target = (): string[] => ['--url', gateway.url, '--token', gateway.token];

async function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await runOfficialCli([...args, ...target()]);
  expect(result.code, `openclaw ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

async function cliJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const { stdout } = await cli([...args, '--json']);
  return JSON.parse(stdout) as T;
}

/** A signed node connect with the shared token; resolves with the socket and the connect response. */
async function connectNode(): Promise<{ client: RawClient; res: Frame }> {
  const client = await RawClient.open(gateway.url);
  sockets.push(client);
  const challenge = (await client.event('connect.challenge')).payload as { nonce: string; ts: number };
  const res = await client.call('connect', withDevice(device, nodeParams(gateway.token, { commands: ['system.which'] }), challenge));
  return { client, res };
}

/** The operator's events of `name` after log position `since` whose payload matches `fields`. */
const eventAfter = (since: number, name: string, fields: Record<string, unknown>) => (frame: Frame): boolean =>
  operator.log.indexOf(frame) >= since && frame.event === name && Object.entries(fields).every(([k, v]) => (frame.payload as Record<string, unknown>)[k] === v);

describe('official CLI devices/nodes commands against our gateway', () => {
  beforeAll(async () => {
    await ensureOfficial();
    stateDir = mkdtempSync(join(tmpdir(), 'openclaw-pairing-cli-'));
    writeFileSync(join(stateDir, 'openclaw.json'), `${JSON.stringify({ gateway: { mode: 'local', nodes: { pairing: { autoApproveLocal: false } } } })}\n`);
    gateway = await startGatewayProcess({ stateDir });
    operator = (await connectClient(gateway.url, { scopes: ['operator.admin', 'operator.read', 'operator.pairing'] }, gateway.token)).client;
  }, OFFICIAL_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    operator?.close();
    await gateway?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('devices list|approve, nodes list|reject|approve|remove', async () => {
    // Manual device pairing: the first connect is refused with a request id.
    const refused = await connectNode();
    expect(refused.res.error).toMatchObject({ code: 'NOT_PAIRED', details: { code: 'PAIRING_REQUIRED' } });
    const deviceRequestId = (refused.res.error as { details: { requestId: string } }).details.requestId;
    await refused.client.waitClosed();

    const devices = await cliJson<{ pending: Array<{ requestId: string; deviceId: string; role: string }> }>(['devices', 'list']);
    expect(devices.pending).toContainEqual(expect.objectContaining({ requestId: deviceRequestId, deviceId: device.id, role: 'node' }));
    let since = operator.log.length;
    await cli(['devices', 'approve', deviceRequestId]);
    await operator.seen(eventAfter(since, 'device.pair.resolved', { requestId: deviceRequestId, decision: 'approved' }));
    const afterApprove = await cliJson<{ pending: unknown[]; paired: Array<{ deviceId: string; roles: string[] }> }>(['devices', 'list']);
    expect(afterApprove.paired.find((d) => d.deviceId === device.id)?.roles).toEqual(['node']);

    // Admitted now; its surface waits for approval.
    since = operator.log.length;
    const first = await connectNode();
    expect(first.res.ok, JSON.stringify(first.res.error)).toBe(true);
    expect((first.res.payload as { auth: { deviceToken?: string } }).auth.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const surface = await operator.seen(eventAfter(since, 'node.pair.requested', { nodeId: device.id }));
    const surfaceRequestId = (surface.payload as { requestId: string }).requestId;

    const listed = await cliJson<{ pending: Array<{ requestId: string; nodeId: string }>; nodes?: unknown[] }>(['nodes', 'list']);
    expect(JSON.stringify(listed)).toContain(device.id);
    expect(listed.pending.map((p) => p.requestId)).toContain(surfaceRequestId);

    since = operator.log.length;
    await cli(['nodes', 'reject', surfaceRequestId]);
    await operator.seen(eventAfter(since, 'node.pair.resolved', { requestId: surfaceRequestId, decision: 'rejected' }));
    expect((await operator.call('node.describe', { nodeId: device.id })).payload).toMatchObject({ approvalState: 'unapproved', commands: [] });
    expect((await cliJson<Array<{ requestId: string }>>(['nodes', 'pending'])).map((p) => p.requestId)).not.toContain(surfaceRequestId);

    // A reconnect files a new surface request; approved, the node is listed as paired.
    first.client.close();
    await first.client.waitClosed();
    since = operator.log.length;
    const second = await connectNode();
    expect(second.res.ok).toBe(true);
    const again = await operator.seen(eventAfter(since, 'node.pair.requested', { nodeId: device.id }));
    const againId = (again.payload as { requestId: string }).requestId;
    expect(againId).not.toBe(surfaceRequestId);
    await cli(['nodes', 'approve', againId]);
    const described = await cliJson<Record<string, unknown>>(['nodes', 'describe', '--node', device.id]);
    expect(described).toMatchObject({ nodeId: device.id, approvalState: 'approved', connected: true });
    expect(described.commands).toEqual(['system.which']);

    // Removal drops the node and closes its socket with 4001.
    since = operator.log.length;
    await cli(['nodes', 'remove', '--node', device.id]);
    expect(await second.client.waitClosed()).toMatchObject({ code: 4001, reason: 'device removed' });
    await operator.seen(eventAfter(since, 'node.pair.resolved', { nodeId: device.id, decision: 'removed' }));
    const afterRemove = await cliJson<{ pending: unknown[]; paired: Array<{ nodeId: string }> }>(['nodes', 'list']);
    expect(JSON.stringify(afterRemove.paired ?? [])).not.toContain(device.id);
  }, 300_000);
});
