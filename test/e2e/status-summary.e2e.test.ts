import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';

/** Top-level `openclaw status` and `openclaw health`: a human summary of the local gateway (and `--json`). */

let sandbox: FakeSupervisors;
let gateway: GatewayProcess;
beforeAll(async () => {
  sandbox = createFakeSupervisors();
  gateway = await startGatewayProcess();
  mkdirSync(join(sandbox.home, '.openclaw'), { recursive: true, mode: 0o700 });
  writeFileSync(join(sandbox.home, '.openclaw', 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local', port: gateway.port, auth: { token: gateway.token } } }));
});
afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
  sandbox?.cleanup();
});

interface StatusJson {
  runtimeVersion: string;
  sessions: { byAgent: Array<{ agentId: string }> };
  gateway: { reachable: boolean; url: string; error: string | null; self: { reason?: string } | null };
  service: { installed: boolean; manager: string };
  health: { ok: boolean } | null;
  presence: unknown[] | null;
}

describe('openclaw status / health', () => {
  it('summarises a reachable gateway (target from the config)', async () => {
    const { code, json } = await runIsolatedJson<StatusJson>(['status'], sandbox.env());
    expect(code).toBe(0);
    expect(json.gateway).toMatchObject({ reachable: true, url: gateway.url, error: null, self: { reason: 'self' } });
    expect(json.sessions.byAgent.map((a) => a.agentId)).toContain('main');
    expect(json.health).toMatchObject({ ok: true });
    expect(json.service).toMatchObject({ installed: false, manager: 'systemd' });
    expect(typeof json.runtimeVersion).toBe('string');

    const text = await runIsolatedCli(['status'], sandbox.env());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Gateway: reachable at ${gateway.url}`);
    expect(text.stdout).toContain('Agents: main (default)');
    expect(text.stdout).toContain('Service: not installed');
  });

  it('says so when the gateway is unreachable', async () => {
    const run = await runIsolatedJson<StatusJson>(['status', '--url', `ws://127.0.0.1:${await freePort()}`, '--token', 'x', '--timeout', '2000'], sandbox.env());
    expect(run.json.gateway).toMatchObject({ reachable: false });
    expect(run.json.gateway.error).toContain('ECONNREFUSED');
  });

  it('prints the health snapshot for `health` and `health --json`', async () => {
    const json = await runIsolatedJson<{ ok: boolean; defaultAgentId: string }>(['health'], sandbox.env());
    expect(json.code).toBe(0);
    expect(json.json).toMatchObject({ ok: true, defaultAgentId: 'main' });
    const text = await runIsolatedCli(['health'], sandbox.env());
    expect(text.stdout).toContain('Gateway Health');
  });
});
