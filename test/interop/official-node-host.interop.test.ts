import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type Frame, type RawClient } from '../helpers/raw-client.js';
import { ensureOfficial, makeOfficialHome, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli, type OfficialHome } from '../helpers/official.js';

/**
 * The official headless node host (`openclaw node run`, NODES.md §6) against our gateway, driven
 * by the official CLI: silent pairing on loopback, `nodes approve`, `nodes invoke`, `gateway call
 * node.invoke` running `system.run`, DISCONNECTED when the node dies mid-invoke, and a restart
 * without the env token that reconnects with the device token.
 */

const NODE_START_TIMEOUT_MS = 120_000;
const LEAKY_ENV = /^(OPENCLAW_|VITEST|NODE_ENV$|TEST$|NODE_OPTIONS$)/;

let gateway: GatewayProcess;
let wrapper: string;
let home: OfficialHome;
let operator: RawClient;
const nodes: ChildProcess[] = [];

const target = (): string[] => ['--url', gateway.url, '--token', gateway.token];

/** Starts `openclaw node run` in its own process group under the private HOME. */
function startNodeHost(withToken: boolean): ChildProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !LEAKY_ENV.test(key)));
  const child = spawn(wrapper, ['node', 'run', '--host', '127.0.0.1', '--port', String(gateway.port), '--display-name', 'interop-node'], {
    env: { ...inherited, NO_COLOR: '1', OFFICIAL_HOME: home.dir, OPENCLAW_NO_AUTO_UPDATE: '1', ...(withToken ? { OPENCLAW_GATEWAY_TOKEN: gateway.token } : {}) },
    cwd: home.dir,
    detached: true,
    stdio: 'ignore',
  });
  nodes.push(child);
  return child;
}

/** Kills a node host and everything in its process group (system.run children included). */
const killed = new Set<ChildProcess>();
function killNodeHost(child: ChildProcess): void {
  if (child.pid === undefined || killed.has(child)) return;
  killed.add(child);
  process.kill(-child.pid, 'SIGKILL');
}

async function cliJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const result = await runOfficialCli([...args, ...target(), '--json']);
  expect(result.code, `openclaw ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const presenceOf = (frame: Frame, deviceId: string) =>
  ((frame.payload as { presence?: Array<{ deviceId?: string; reason?: string }> }).presence ?? []).find((row) => row.deviceId === deviceId);

describe('official node host against our gateway', () => {
  beforeAll(async () => {
    wrapper = await ensureOfficial();
    gateway = await startGatewayProcess();
    home = makeOfficialHome();
    operator = (await connectClient(gateway.url, { scopes: ['operator.admin', 'operator.read', 'operator.write', 'operator.pairing'] }, gateway.token)).client;
  }, OFFICIAL_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    for (const child of nodes) killNodeHost(child);
    operator?.close();
    await gateway?.stop();
    gateway?.cleanup();
    home?.cleanup();
  });

  it('pairs silently, is approved and invoked by the official CLI, fails DISCONNECTED when killed, reconnects with its device token', async () => {
    const first = startNodeHost(true);
    const requested = await operator.seen((f) => f.event === 'node.pair.requested', NODE_START_TIMEOUT_MS);
    const request = requested.payload as { requestId: string; nodeId: string; silent?: boolean; commands: string[] };
    expect(request.silent).toBe(true);
    expect(request.commands).toContain('system.run');
    const nodeId = request.nodeId;
    expect(operator.events('device.pair.requested')).toEqual([]);
    expect(operator.events('device.pair.resolved').map((f) => f.payload)).toContainEqual(expect.objectContaining({ deviceId: nodeId, decision: 'approved' }));

    const pending = await cliJson<Array<{ requestId: string }>>(['nodes', 'pending']);
    expect(pending.map((p) => p.requestId)).toContain(request.requestId);
    const approve = await runOfficialCli(['nodes', 'approve', request.requestId, ...target(), '--json']);
    expect(approve.code, approve.stdout + approve.stderr).toBe(0);

    const which = await cliJson<{ ok: boolean; payload: { bins: Record<string, string> } }>(['nodes', 'invoke', '--node', nodeId, '--command', 'system.which', '--params', '{"bins":["sh"]}']);
    expect(which.ok).toBe(true);
    expect(which.payload.bins.sh).toMatch(/\/sh$/);
    const run = await cliJson<{ ok: boolean; payload: { stdout: string; exitCode: number } }>([
      'gateway', 'call', 'node.invoke', '--params', JSON.stringify({ nodeId, command: 'system.run', params: { command: ['echo', 'hi'] }, idempotencyKey: 'k-run-1' }),
    ]);
    expect(run.payload).toMatchObject({ exitCode: 0, stdout: 'hi\n' });

    const devices = await cliJson<{ paired: Array<{ deviceId: string; roles: string[] }> }>(['devices', 'list']);
    expect(devices.paired.find((d) => d.deviceId === nodeId)?.roles).toEqual(['node']);
    const described = await cliJson<Record<string, unknown>>(['nodes', 'describe', '--node', nodeId]);
    expect(JSON.stringify(described)).toContain(nodeId);

    // Kill the node while `sleep 6` runs: the invoke fails at once with DISCONNECTED.
    const invokeId = operator.request('node.invoke', { nodeId, command: 'system.run', params: { command: ['sleep', '6'] }, idempotencyKey: 'k-sleep' });
    for (;;) {
      const inspect = await operator.call('gateway.inspect', {});
      const actors = (inspect.payload as { actors: Array<{ id: string }> }).actors;
      if (actors.some((a) => a.id.startsWith('nodeInvoke:'))) break;
    }
    killNodeHost(first);
    const failed = await operator.response(invokeId, 10_000);
    expect(failed.error).toMatchObject({ code: 'UNAVAILABLE', message: 'DISCONNECTED: node disconnected (system.run)' });

    // Restarted without OPENCLAW_GATEWAY_TOKEN: only the stored device token can admit it.
    const since = operator.log.length;
    startNodeHost(false);
    await operator.seen((f) => operator.log.indexOf(f) >= since && f.event === 'presence' && presenceOf(f, nodeId)?.reason === 'connect', NODE_START_TIMEOUT_MS);
    const again = await operator.call('node.describe', { nodeId });
    expect(again.payload).toMatchObject({ nodeId, connected: true, approvalState: 'approved' });
  }, 300_000);
});
