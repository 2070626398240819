import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDoctorReport, type DoctorCheck, type DoctorReport } from '../../protocol/cli/doctor.js';
import { startPlainListener, type Daemon } from '../helpers/cli-process.js';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';
import { freePort } from '../helpers/gateway-process.js';

/** `openclaw doctor [--fix] [--json]`: local audits and safe repairs, against a temp HOME and fake supervisors. */

let sandbox: FakeSupervisors;
let listener: Daemon | undefined;
let server: WebSocketServer | undefined;
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(async () => {
  await listener?.stop();
  listener = undefined;
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  sandbox.cleanup();
});

const state = () => join(sandbox.home, '.openclaw');
const configPath = () => join(state(), 'openclaw.json');
const unitPath = () => join(sandbox.home, '.config', 'systemd', 'user', 'openclaw-gateway.service');
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

function writeConfig(value: unknown, fileMode = 0o600): void {
  mkdirSync(state(), { recursive: true, mode: 0o700 });
  writeFileSync(configPath(), JSON.stringify(value));
  chmodSync(configPath(), fileMode);
}

async function doctor(args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; report: DoctorReport }> {
  const { code, json, stderr } = await runIsolatedJson<DoctorReport>(['doctor', ...args], sandbox.env(env));
  expect(isDoctorReport(json), `${JSON.stringify(json)}\n${stderr}`).toBe(true);
  return { code, report: json };
}

const check = (report: DoctorReport, id: DoctorCheck['id']) => report.checks.find((c) => c.id === id);

describe('doctor', () => {
  it('finds nothing blocking on a fresh machine, and --fix prepares the state dir and a token', async () => {
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(check(report, 'config')).toMatchObject({ level: 'info' });
    expect(check(report, 'token')).toMatchObject({ level: 'info', fixable: true, fixed: false });
    expect(check(report, 'service')).toMatchObject({ level: 'info', message: expect.stringContaining('gateway install') });

    const fixed = await doctor(['--fix']);
    expect(check(fixed.report, 'state-dir')).toMatchObject({ fixed: true });
    expect(check(fixed.report, 'token')).toMatchObject({ fixed: true });
    expect(mode(state())).toBe('700');
    expect(mode(configPath())).toBe('600');
    expect(JSON.parse(readFileSync(configPath(), 'utf8'))).toMatchObject({ gateway: { mode: 'local', auth: { mode: 'token', token: expect.stringMatching(/^[0-9a-f]{48}$/) } } });
  });

  it('flags loose permissions and --fix tightens them', async () => {
    writeConfig({ gateway: { mode: 'local', auth: { token: 'tok' } } }, 0o644);
    chmodSync(state(), 0o755);
    const before = await doctor();
    expect(check(before.report, 'state-dir')).toMatchObject({ level: 'warn', fixable: true, message: expect.stringContaining('0755') });
    expect(check(before.report, 'config-permissions')).toMatchObject({ level: 'warn', fixable: true });
    const text = await runIsolatedCli(['doctor'], sandbox.env());
    expect(text.stdout).toContain('openclaw doctor --fix');

    const after = await doctor(['--fix']);
    expect(check(after.report, 'state-dir')).toMatchObject({ fixed: true, fix: `chmod 0700 ${state()}` });
    expect(check(after.report, 'config-permissions')).toMatchObject({ fixed: true });
    expect(mode(state())).toBe('700');
    expect(mode(configPath())).toBe('600');
    expect(check((await doctor()).report, 'state-dir')?.level).toBe('ok');
  });

  it('reports a missing token as blocking (exit 1) and --fix generates one into the config', async () => {
    writeConfig({ gateway: { mode: 'local', port: 18789 } });
    const { code, report } = await doctor();
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(check(report, 'token')).toMatchObject({ level: 'error', fixable: true });

    const fixed = await doctor(['--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.report.ok).toBe(true);
    expect(JSON.parse(readFileSync(configPath(), 'utf8'))).toMatchObject({ gateway: { mode: 'local', port: 18789, auth: { mode: 'token', token: expect.any(String) } } });
    expect(check((await doctor()).report, 'token')).toMatchObject({ level: 'ok', message: 'Gateway token set (from the config)' });
  });

  it('accepts a token that only the service env file holds', async () => {
    writeConfig({ gateway: { mode: 'local' } });
    const install = await runIsolatedCli(['gateway', 'install', '--token', 'from-env-file'], sandbox.env());
    expect(install.code, install.stderr).toBe(0);
    expect(check((await doctor()).report, 'token')).toMatchObject({ level: 'ok', message: 'Gateway token set (from the service env file)' });
  });

  it('detects port drift of the installed unit and --fix regenerates and restarts it', async () => {
    writeConfig({ gateway: { mode: 'local', port: 19555, auth: { token: 'tok' } } });
    expect((await runIsolatedCli(['gateway', 'install', '--token', 'keep-me'], sandbox.env())).code).toBe(0);
    writeConfig({ gateway: { mode: 'local', port: 19556, auth: { token: 'tok' } } });
    sandbox.clearCalls();

    const drifted = await doctor();
    expect(check(drifted.report, 'service')).toMatchObject({
      level: 'warn',
      fixable: true,
      details: expect.arrayContaining(['the installed service starts the gateway on port 19555, the current settings say 19556']),
    });
    expect(sandbox.calls().filter((call) => !call.includes(' show ') && !call.includes('is-enabled'))).toEqual([]);

    const fixed = await doctor(['--fix']);
    expect(check(fixed.report, 'service')).toMatchObject({ fixed: true });
    expect(readFileSync(unitPath(), 'utf8')).toContain('gateway --port 19556');
    expect(sandbox.calls()).toEqual(
      expect.arrayContaining([
        'systemctl --user daemon-reload',
        'systemctl --user enable openclaw-gateway.service',
        'systemctl --user restart openclaw-gateway.service',
      ]),
    );
    // The token installed with --token survives the regeneration.
    expect(readFileSync(join(state(), 'gateway.systemd.env'), 'utf8')).toContain('OPENCLAW_GATEWAY_TOKEN=keep-me');
    expect(check((await doctor()).report, 'service')).toMatchObject({ level: 'ok' });
  });

  it('leaves an externally managed service alone (OPENCLAW_SERVICE_REPAIR_POLICY=external)', async () => {
    writeConfig({ gateway: { mode: 'local', port: 19555, auth: { token: 'tok' } } });
    expect((await runIsolatedCli(['gateway', 'install'], sandbox.env())).code).toBe(0);
    const fixed = await doctor(['--fix'], { OPENCLAW_GATEWAY_PORT: '19600', OPENCLAW_SERVICE_REPAIR_POLICY: 'external' });
    expect(check(fixed.report, 'service')).toMatchObject({ level: 'warn', fixable: false, fixed: false });
    expect(readFileSync(unitPath(), 'utf8')).toContain('gateway --port 19555');
  });

  it('finds a legacy clawdbot-gateway unit and --fix disables and removes it', async () => {
    writeConfig({ gateway: { mode: 'local', auth: { token: 'tok' } } });
    const legacy = join(sandbox.home, '.config', 'systemd', 'user', 'clawdbot-gateway.service');
    mkdirSync(join(sandbox.home, '.config', 'systemd', 'user'), { recursive: true });
    writeFileSync(legacy, '[Service]\nExecStart=/usr/bin/clawdbot gateway\n');
    expect(check((await doctor()).report, 'legacy-service')).toMatchObject({ level: 'warn', fixable: true, message: expect.stringContaining(legacy) });
    sandbox.clearCalls();
    const fixed = await doctor(['--fix']);
    expect(check(fixed.report, 'legacy-service')).toMatchObject({ fixed: true, fix: `removed ${legacy}` });
    expect(sandbox.calls()).toEqual(expect.arrayContaining(['systemctl --user disable --now clawdbot-gateway.service', 'systemctl --user daemon-reload']));
    expect(existsSync(legacy)).toBe(false);
  });

  it('tightens the service env file', async () => {
    writeConfig({ gateway: { mode: 'local', auth: { token: 'tok' } } });
    expect((await runIsolatedCli(['gateway', 'install', '--token', 's'], sandbox.env())).code).toBe(0);
    chmodSync(join(state(), 'gateway.systemd.env'), 0o644);
    expect(check((await doctor()).report, 'service-env-file')).toMatchObject({ level: 'warn', fixable: true });
    await doctor(['--fix']);
    expect(mode(join(state(), 'gateway.systemd.env'))).toBe('600');
  });

  it('reports another program on the gateway port', async () => {
    const port = await freePort();
    writeConfig({ gateway: { mode: 'local', port, auth: { token: 'tok' } } });
    listener = await startPlainListener(port);
    const { report } = await doctor();
    expect(check(report, 'port')).toMatchObject({ level: 'warn', fixable: false, details: [expect.stringMatching(new RegExp(`^node \\(pid ${listener.child.pid}.*127\\.0\\.0\\.1:${port}$`))] });
  });

  it('reports an invalid config as blocking and opens no gateway connection', async () => {
    const port = await freePort();
    server = new WebSocketServer({ port, host: '127.0.0.1' });
    await once(server, 'listening');
    let connections = 0;
    server.on('connection', () => (connections += 1));
    writeConfig({ gateway: { mode: 'local', port, auth: { token: 'tok' } } });
    const valid = await doctor();
    expect(valid.report.ok).toBe(true);
    expect(connections).toBe(0);

    writeFileSync(configPath(), '{ gateway: { port: "x" } }');
    const { code, report } = await doctor();
    expect(code).toBe(1);
    expect(check(report, 'config')).toMatchObject({ level: 'error', message: expect.stringContaining('gateway.port') });
    expect(connections).toBe(0);
  });
});
