import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSupervisors, runIsolatedCli, type FakeSupervisors } from '../helpers/fake-supervisors.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { ensureOfficial, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli } from '../helpers/official.js';

/**
 * The official CLI (2026.9.6) diagnosing our gateway: `gateway status --json` and `gateway probe
 * --json` with an explicit URL and token (CLI-FRAMES.md #10–#12), and `gateway status` reading
 * the unit our `gateway install` wrote.
 */

const TIMEOUT_MS = 90_000;

let gateway: GatewayProcess;
let sandbox: FakeSupervisors;
let serverVersion: string;

beforeAll(async () => {
  await ensureOfficial();
  gateway = await startGatewayProcess();
  sandbox = createFakeSupervisors();
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
  sandbox?.cleanup();
});

/** Runs the official CLI with `--json`, expecting exit 0. */
async function officialJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const result = await runOfficialCli([...args, '--json'], env);
  expect(result.code, `openclaw ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const explicit = () => ['--url', gateway.url, '--token', gateway.token];

interface OfficialRpc {
  ok: boolean;
  kind: string;
  capability: string;
  auth: { role: string; scopes: string[]; capability: string };
  server: { version: string; connId: string };
}

describe('official CLI against our gateway', { timeout: TIMEOUT_MS }, () => {
  it('`gateway status --json`: the cli/probe connect succeeds and keeps operator.read (read_only)', async () => {
    const report = await officialJson<{ rpc: OfficialRpc; gateway: { probeUrl: string; version: string } }>(['gateway', 'status', ...explicit()]);
    expect(report.rpc).toMatchObject({ ok: true, kind: 'connect', capability: 'read_only', auth: { role: 'operator', scopes: ['operator.read'], capability: 'read_only' } });
    serverVersion = report.rpc.server.version;
    expect(serverVersion).toMatch(/actor/);
    expect(report.gateway).toMatchObject({ probeUrl: gateway.url, version: serverVersion });
  });

  it('`gateway status --json --require-rpc`: `status` answers over the backend client', async () => {
    const report = await officialJson<{ rpc: OfficialRpc }>(['gateway', 'status', ...explicit(), '--require-rpc']);
    expect(report.rpc).toMatchObject({ ok: true, kind: 'read', capability: 'read_only' });
  });

  it('`gateway probe --json`: ok, not scope-limited, every read call (config.get included) answered', async () => {
    const report = await officialJson<{
      ok: boolean;
      degraded: boolean;
      capability: string;
      primaryTargetId: string;
      warnings: Array<{ code: string; message: string }>;
      targets: Array<{ id: string; url: string; connect: { ok: boolean; rpcOk: boolean; scopeLimited: boolean; error: string | null }; health: { ok?: boolean } | null; summary: { runtimeVersion?: string } | null; presence: unknown[] | null; config: unknown; self: { host?: string } | null }>;
    }>(['gateway', 'probe', ...explicit()]);
    expect(report).toMatchObject({ ok: true, capability: 'read_only', primaryTargetId: 'explicit' });
    const target = report.targets.find((t) => t.id === 'explicit');
    expect(target?.url).toBe(gateway.url);
    expect(target?.connect).toMatchObject({ ok: true, scopeLimited: false });
    // rpcOk needs health, status, system-presence and config.get: config.get comes with the config module.
    expect(target?.connect, JSON.stringify(report.warnings)).toMatchObject({ rpcOk: true, error: null });
    expect(report.degraded).toBe(false);
    expect(target?.health).toMatchObject({ ok: true });
    expect(target?.summary).toMatchObject({ runtimeVersion: expect.any(String) });
    expect(Array.isArray(target?.presence)).toBe(true);
    expect(target?.self).not.toBeNull();
    expect(target?.config).not.toBeNull();
    expect(report.warnings.map((w) => w.code)).not.toContain('probe_scope_limited');
  });

  it('`gateway status --json` reads the unit our `gateway install` wrote (command, port, env file)', async () => {
    const install = await runIsolatedCli(['gateway', 'install', '--port', String(gateway.port), '--token', gateway.token], sandbox.env({ USER: 'root' }));
    expect(install.code, install.stderr).toBe(0);
    const report = await officialJson<{
      service: { systemdInstallation?: { kind: string }; command: { programArguments: string[]; environmentValueSources: Record<string, string>; sourcePath: string } | null };
      gateway: { port: number };
      rpc: OfficialRpc;
    }>(['gateway', 'status'], { OFFICIAL_HOME: sandbox.home, PATH: sandbox.env().PATH as string, FAKE_LOG: `${sandbox.root}/calls.log`, FAKE_DIR: sandbox.root });
    expect(report.service.systemdInstallation).toMatchObject({ kind: 'user' });
    expect(report.service.command?.sourcePath).toBe(`${sandbox.home}/.config/systemd/user/openclaw-gateway.service`);
    expect(report.service.command?.programArguments.slice(-3)).toEqual(['gateway', '--port', String(gateway.port)]);
    // The official reader sees the marker inline and the token only in the env file.
    expect(report.service.command?.environmentValueSources).toMatchObject({ OPENCLAW_SERVICE_MARKER: 'inline', OPENCLAW_SERVICE_KIND: 'inline', OPENCLAW_GATEWAY_TOKEN: 'file' });
    expect(report.gateway.port).toBe(gateway.port);
    // Its config (written by our install with the token) lets it reach the gateway the unit runs.
    expect(report.rpc).toMatchObject({ ok: true, capability: 'read_only' });
  });
});
