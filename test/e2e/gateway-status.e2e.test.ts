import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayStatusReport, type GatewayStatusReport } from '../../protocol/cli/gateway-status.js';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';

/**
 * `gateway status`: the supervisor's view (from fake `systemctl show`) and the RPC view (a real
 * gateway on the port) reported separately; listeners; the last error line when the service
 * looks running but the port is closed.
 */

let sandbox: FakeSupervisors;
let gateway: GatewayProcess | undefined;
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(async () => {
  await gateway?.stop();
  gateway?.cleanup();
  gateway = undefined;
  sandbox.cleanup();
});

const showRunning = (pid: number) =>
  `Id=openclaw-gateway.service\nLoadState=loaded\nActiveState=active\nSubState=running\nResult=success\nMainPID=${pid}\nExecMainStatus=0\nExecMainCode=0\nNRestarts=2\n`;

async function status(args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; report: GatewayStatusReport }> {
  const { code, json, stderr } = await runIsolatedJson<GatewayStatusReport>(['gateway', 'status', ...args], sandbox.env(env));
  expect(isGatewayStatusReport(json), `${JSON.stringify(json)}\n${stderr}`).toBe(true);
  return { code, report: json };
}

async function installFor(port: number, token: string): Promise<void> {
  const run = await runIsolatedCli(['gateway', 'install', '--port', String(port), '--token', token], sandbox.env());
  expect(run.code, run.stderr).toBe(0);
  sandbox.clearCalls();
}

describe('gateway status', () => {
  it('reports a running service and a reachable gateway side by side', async () => {
    gateway = await startGatewayProcess();
    await installFor(gateway.port, gateway.token);
    sandbox.respond('systemctl', 'show', { stdout: showRunning(gateway.child.pid ?? 0) });
    sandbox.respond('systemctl', 'is-enabled', { stdout: 'enabled\n' });
    const { code, report } = await status();
    expect(code).toBe(0);
    expect(report.service).toMatchObject({
      manager: 'systemd',
      label: 'openclaw-gateway.service',
      installed: true,
      loaded: true,
      enabled: true,
      runtime: { status: 'running', state: 'active', subState: 'running', pid: gateway.child.pid, restarts: 2 },
      configAudit: { ok: true, issues: [] },
      command: { secretKeys: ['OPENCLAW_GATEWAY_TOKEN'] },
    });
    expect(report.service.command?.programArguments.slice(-3)).toEqual(['gateway', '--port', String(gateway.port)]);
    expect(report.gateway).toMatchObject({ port: gateway.port, portSource: 'service args', probeUrl: gateway.url, bindMode: 'loopback' });
    // The token came from the service env file (what `install --token` wrote): RPC reachability is separate.
    expect(report.rpc).toMatchObject({ ok: true, kind: 'connect', capability: 'read_only', auth: { role: 'operator', scopes: ['operator.read'] }, url: gateway.url });
    expect(report.gateway.version).toBe(report.rpc?.server.version);
    expect(report.port.status).toBe('busy');
    expect(report.port.listeners).toContainEqual(expect.objectContaining({ pid: gateway.child.pid, command: expect.stringMatching(/^openclaw-gatew/) }));
    expect(report.lastError).toBeUndefined();
    expect(sandbox.calls()).toEqual([
      'systemctl --user show openclaw-gateway.service --no-page --property Id,LoadState,ActiveState,SubState,Result,MainPID,ExecMainStatus,ExecMainCode,NRestarts',
      'systemctl --user is-enabled openclaw-gateway.service',
    ]);
  });

  it('shows the last gateway error line when the service looks running but the port is closed', async () => {
    const port = await freePort();
    await installFor(port, 'some-token');
    sandbox.respond('systemctl', 'show', { stdout: showRunning(4242) });
    sandbox.respond('journalctl', 'openclaw-gateway.service', {
      stdout: 'listening soon\nopenclaw gateway: port already in use (listen EADDRINUSE); stop the other listener or pass --force\nretrying\n',
    });
    const { code, report } = await status();
    expect(code).toBe(0);
    expect(report.service.runtime.status).toBe('running');
    expect(report.rpc).toMatchObject({ ok: false, kind: 'connect', capability: 'unknown' });
    expect(report.rpc?.error).toContain('ECONNREFUSED');
    expect(report.port).toMatchObject({ port, status: 'free', listeners: [] });
    expect(report.lastError).toBe('openclaw gateway: port already in use (listen EADDRINUSE); stop the other listener or pass --force');
    expect(report.warnings.join('\n')).toContain('the gateway does not answer');
    expect(sandbox.calls()).toContain('journalctl --user -u openclaw-gateway.service -n 200 --no-pager -o cat');

    const text = await runIsolatedCli(['gateway', 'status'], sandbox.env());
    expect(text.stdout).toContain('Runtime: running (pid 4242');
    expect(text.stdout).toContain('Connectivity probe: failed');
    expect(text.stdout).toContain('Last gateway error: openclaw gateway: port already in use');
  });

  it('reads `status` over a backend connection with --require-rpc, and fails without an answer', async () => {
    gateway = await startGatewayProcess();
    const ok = await status(['--url', gateway.url, '--token', gateway.token, '--require-rpc']);
    expect(ok.code).toBe(0);
    expect(ok.report.rpc).toMatchObject({ ok: true, kind: 'read', capability: 'read_only' });
    expect(ok.report.service.installed).toBe(false);

    const closed = await status(['--url', `ws://127.0.0.1:${await freePort()}`, '--token', 'x', '--require-rpc']);
    expect(closed.code).toBe(1);
    expect(closed.report.rpc?.ok).toBe(false);

    const wrongToken = await status(['--url', gateway.url, '--token', 'wrong']);
    expect(wrongToken.report.rpc).toMatchObject({ ok: false, kind: 'connect' });
    expect(wrongToken.report.rpc?.error).toContain('unauthorized');
  });

  it('skips the RPC probe with --no-probe and reports a missing service', async () => {
    const { code, report } = await status(['--no-probe']);
    expect(code).toBe(0);
    expect(report.rpc).toBeUndefined();
    expect(report.service).toMatchObject({ installed: false, command: null });
    expect(report.warnings.join('\n')).toContain('openclaw gateway install');
  });

  it('lists other gateway-like services with --deep', async () => {
    await installFor(await freePort(), 'tok');
    const userUnits = join(sandbox.home, '.config', 'systemd', 'user');
    mkdirSync(userUnits, { recursive: true });
    writeFileSync(join(userUnits, 'openclaw-gateway-rescue.service'), '[Service]\nEnvironment=OPENCLAW_SERVICE_MARKER=openclaw\n');
    writeFileSync(join(userUnits, 'clawdbot-gateway.service'), '[Service]\nExecStart=/usr/bin/clawdbot gateway\n');
    writeFileSync(join(userUnits, 'unrelated.service'), '[Service]\nExecStart=/bin/true\n');
    const { report } = await status(['--deep', '--no-probe']);
    const mine = report.extraServices.filter((extra) => extra.path.startsWith(userUnits));
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ label: 'openclaw-gateway-rescue.service', openclawProfileService: true, legacy: false }),
        expect.objectContaining({ label: 'clawdbot-gateway.service', openclawProfileService: false, legacy: true }),
      ]),
    );
    expect(mine).toHaveLength(2);
    expect(report.warnings.join('\n')).toContain('clawdbot-gateway.service');
  });

  it('reports port drift when the config moved after install', async () => {
    await installFor(19555, 'tok');
    const { report } = await status(['--no-probe'], { OPENCLAW_GATEWAY_PORT: '19556' });
    expect(report.service.configAudit.ok).toBe(false);
    expect(report.service.configAudit.issues).toContainEqual(expect.objectContaining({ code: 'port', installed: '19555', expected: '19556' }));
    // The probe still targets what the service runs.
    expect(report.gateway).toMatchObject({ port: 19555, portSource: 'service args' });
  });
});
