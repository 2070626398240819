import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayProbeReport, type GatewayProbeReport } from '../../protocol/cli/gateway-probe.js';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';

/** `gateway probe`: explicit URL, configured remote and local loopback, each read-probed. */

let sandbox: FakeSupervisors;
const gateways: GatewayProcess[] = [];
const servers: WebSocketServer[] = [];
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) {
    await gateway.stop();
    gateway.cleanup();
  }
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  sandbox.cleanup();
});

async function gateway(token?: string): Promise<GatewayProcess> {
  const started = await startGatewayProcess(token ? { token } : {});
  gateways.push(started);
  return started;
}

/** Writes the sandbox's ~/.openclaw/openclaw.json. */
function config(value: unknown): void {
  const dir = join(sandbox.home, '.openclaw');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'openclaw.json'), JSON.stringify(value), { mode: 0o600 });
}

async function probe(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; report: GatewayProbeReport }> {
  const { code, json, stderr } = await runIsolatedJson<GatewayProbeReport>(['gateway', 'probe', ...args], sandbox.env(env));
  expect(isGatewayProbeReport(json), `${JSON.stringify(json)}\n${stderr}`).toBe(true);
  return { code, report: json };
}

const target = (report: GatewayProbeReport, id: string) => report.targets.find((t) => t.id === id);

describe('gateway probe', () => {
  it('probes the explicit URL with health, status, system-presence and config.get, and the local loopback', async () => {
    const gw = await gateway();
    const idlePort = await freePort();
    config({ gateway: { mode: 'local', port: idlePort } });
    const { code, report } = await probe(['--url', gw.url, '--token', gw.token]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, degraded: false, capability: 'read_only', primaryTargetId: 'explicit', network: { localLoopbackUrl: `ws://127.0.0.1:${idlePort}` } });
    const explicit = target(report, 'explicit');
    expect(explicit).toMatchObject({
      kind: 'explicit',
      url: gw.url,
      connect: { ok: true, rpcOk: true, scopeLimited: false, error: null },
      auth: { role: 'operator', scopes: ['operator.read'], capability: 'read_only' },
      self: { mode: 'gateway', reason: 'self' },
      health: { ok: true },
      summary: { runtimeVersion: explicit?.server.version },
      config: { path: join(gw.stateDir, 'openclaw.json'), valid: true, gateway: { mode: 'local' } },
      unsupported: [],
    });
    expect(JSON.stringify(explicit?.config)).not.toContain(gw.token);
    expect(target(report, 'localLoopback')?.connect).toMatchObject({ ok: false, rpcOk: false, latencyMs: null });
    expect(report.warnings.map((w) => w.code)).not.toContain('multiple_gateways');
  });

  it('warns when several different gateways answer, but not for one gateway reached twice', async () => {
    const [a, b] = [await gateway(), await gateway()];
    config({ gateway: { mode: 'local', port: b.port, auth: { token: b.token } } });
    const two = await probe(['--url', a.url, '--token', a.token]);
    expect(two.report.targets.every((t) => t.connect.ok)).toBe(true);
    expect(two.report.warnings).toContainEqual(expect.objectContaining({ code: 'multiple_gateways', targetIds: ['explicit', 'localLoopback'] }));

    const same = await probe(['--url', `ws://localhost:${b.port}`, '--token', b.token]);
    expect(same.report.targets.map((t) => t.connect.ok)).toEqual([true, true]);
    expect(same.report.warnings.map((w) => w.code)).not.toContain('multiple_gateways');
  });

  it('sends --token to the --url target only: the local loopback uses its own configured token', async () => {
    const [remote, local] = [await gateway('explicit-target-token-0123'), await gateway('local-config-token-456789')];
    config({ gateway: { mode: 'local', port: local.port, auth: { token: local.token } } });
    const { code, report } = await probe(['--url', remote.url, '--token', remote.token]);
    expect(code).toBe(0);
    expect(target(report, 'explicit')?.connect).toMatchObject({ ok: true, rpcOk: true, error: null });
    expect(target(report, 'localLoopback')?.connect).toMatchObject({ ok: true, rpcOk: true, error: null });
  });

  it('probes the configured remote (gateway.remote.url) with its credentials', async () => {
    const gw = await gateway();
    config({ gateway: { mode: 'remote', port: await freePort(), remote: { url: gw.url, token: gw.token } } });
    const { report } = await probe([]);
    expect(report.primaryTargetId).toBe('configRemote');
    expect(target(report, 'configRemote')).toMatchObject({ kind: 'configRemote', url: gw.url, connect: { ok: true, rpcOk: true } });
  });

  it('exits 1 when nothing answers', async () => {
    config({ gateway: { mode: 'local', port: await freePort() } });
    const { code, report } = await probe(['--timeout', '2000']);
    expect(code).toBe(1);
    expect(report).toMatchObject({ ok: false, primaryTargetId: null });
    expect(report.warnings.map((w) => w.code)).toContain('no_gateway_reachable');
    const text = await runIsolatedCli(['gateway', 'probe', '--timeout', '2000'], sandbox.env());
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Reachable: no');
  });

  it('tolerates a gateway without config.get', async () => {
    // A minimal gateway that knows health/status/system-presence only, like today's older builds.
    const port = await freePort();
    const server = new WebSocketServer({ port, host: '127.0.0.1' });
    servers.push(server);
    await once(server, 'listening');
    server.on('connection', (ws: WebSocket) => {
      ws.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: Date.now() } }));
      ws.on('message', (raw) => {
        const req = JSON.parse(raw.toString()) as { id: string; method: string };
        const answers: Record<string, unknown> = {
          connect: { type: 'hello-ok', protocol: 4, server: { version: 'old-1', connId: 'c1' }, auth: { role: 'operator', scopes: ['operator.read'] } },
          health: { ok: true },
          status: { runtimeVersion: 'old-1' },
          'system-presence': [{ host: 'old', mode: 'gateway', reason: 'self', instanceId: 'i1' }],
        };
        const payload = answers[req.method];
        ws.send(JSON.stringify(payload !== undefined
          ? { type: 'res', id: req.id, ok: true, payload }
          : { type: 'res', id: req.id, ok: false, error: { code: 'INVALID_REQUEST', message: `unknown method: ${req.method}`, details: { code: 'UNKNOWN_METHOD' } } }));
      });
    });
    config({ gateway: { mode: 'local', port: await freePort() } });
    const { code, report } = await probe(['--url', `ws://127.0.0.1:${port}`, '--token', 't']);
    expect(code).toBe(0);
    expect(target(report, 'explicit')).toMatchObject({ connect: { ok: true, rpcOk: true }, config: null, unsupported: ['config.get'], server: { version: 'old-1' } });
    expect(report.degraded).toBe(false);
    expect(report.warnings.map((w) => w.code)).toContain('probe_method_unsupported');
  });
});
