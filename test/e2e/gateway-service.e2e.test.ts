import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isServiceActionResult, type ServiceActionResult } from '../../protocol/cli/service.js';
import { SERVER_VERSION } from '../../protocol/version.js';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';
import { LAUNCHER } from '../helpers/gateway-process.js';

/**
 * `gateway install|uninstall|start|stop|restart` against recording fakes of the supervisors on
 * PATH and a temp HOME: the files written and the exact commands issued.
 */

let sandbox: FakeSupervisors;
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(() => sandbox.cleanup());

const unitPath = (name = 'openclaw-gateway.service') => join(sandbox.home, '.config', 'systemd', 'user', name);
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function install(args: string[] = [], env: Record<string, string> = {}): Promise<ServiceActionResult> {
  const { code, json, stderr } = await runIsolatedJson<ServiceActionResult>(['gateway', 'install', ...args], sandbox.env(env));
  expect(code, stderr).toBe(0);
  expect(isServiceActionResult(json)).toBe(true);
  return json;
}

describe('gateway install (systemd user unit)', () => {
  it('writes the unit and an owner-only env file with the token, then reloads, enables and starts it', async () => {
    sandbox.respond('loginctl', 'show-user', { stdout: 'Linger=no\n' });
    const result = await install(['--port', '19555', '--token', 'secret-token-1']);
    expect(result).toMatchObject({ ok: true, action: 'install', result: 'installed', manager: 'systemd', scope: 'user', label: 'openclaw-gateway.service' });
    expect(sandbox.calls()).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now openclaw-gateway.service',
      'loginctl show-user alice -p Linger',
    ]);
    expect(result.hints.join('\n')).toContain('sudo loginctl enable-linger alice');

    const state = join(sandbox.home, '.openclaw');
    const unit = readFileSync(unitPath(), 'utf8');
    const path = [...new Set([dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':');
    expect(unit).toBe(
      [
        '[Unit]',
        `Description=OpenClaw Gateway (v${SERVER_VERSION})`,
        'After=network-online.target',
        'Wants=network-online.target',
        'StartLimitBurst=10',
        'StartLimitIntervalSec=300',
        '',
        '[Service]',
        `ExecStart=${process.execPath} ${LAUNCHER} gateway --port 19555`,
        'Restart=always',
        'RestartSec=5',
        'RestartPreventExitStatus=78',
        'TimeoutStopSec=30',
        'TimeoutStartSec=30',
        'SuccessExitStatus=0 143',
        'KillMode=control-group',
        `WorkingDirectory=${sandbox.home}`,
        `EnvironmentFile=-${state}/gateway.systemd.env`,
        `Environment=HOME=${sandbox.home}`,
        `Environment=PATH=${path}`,
        `Environment=OPENCLAW_STATE_DIR=${state}`,
        `Environment=OPENCLAW_CONFIG_PATH=${state}/openclaw.json`,
        'Environment=OPENCLAW_GATEWAY_PORT=19555',
        'Environment=OPENCLAW_SYSTEMD_UNIT=openclaw-gateway.service',
        'Environment=OPENCLAW_SERVICE_MARKER=openclaw',
        'Environment=OPENCLAW_SERVICE_KIND=gateway',
        `Environment=OPENCLAW_SERVICE_VERSION=${SERVER_VERSION}`,
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
      ].join('\n'),
    );
    expect(unit).not.toContain('secret-token-1');
    expect(mode(unitPath())).toBe('644');

    const envFile = join(state, 'gateway.systemd.env');
    expect(readFileSync(envFile, 'utf8')).toContain('OPENCLAW_GATEWAY_TOKEN=secret-token-1');
    expect(mode(envFile)).toBe('600');
    expect(mode(state)).toBe('700');
    // A config with a generated token exists, so the service can start.
    expect(JSON.parse(readFileSync(join(state, 'openclaw.json'), 'utf8'))).toMatchObject({ gateway: { mode: 'local', auth: { mode: 'token' } } });
  });

  it('is a no-op when already installed, and says when the unit differs from the current settings', async () => {
    await install(['--port', '19555']);
    sandbox.clearCalls();
    const before = readFileSync(unitPath(), 'utf8');
    const again = await install([], { OPENCLAW_GATEWAY_PORT: '19666' });
    expect(again).toMatchObject({ ok: true, result: 'already-installed' });
    expect(again.drift).toContainEqual(expect.objectContaining({ code: 'port', installed: '19555', expected: '19666' }));
    expect(again.message).toContain('--force');
    expect(sandbox.calls()).toEqual([]);
    expect(readFileSync(unitPath(), 'utf8')).toBe(before);
  });

  it('reinstalls with --force: rewrites the unit, reloads, enables and restarts', async () => {
    await install(['--port', '19555']);
    sandbox.clearCalls();
    const result = await install(['--force', '--port', '19666']);
    expect(result.result).toBe('reinstalled');
    expect(sandbox.calls()).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable openclaw-gateway.service',
      'systemctl --user restart openclaw-gateway.service',
      'loginctl show-user alice -p Linger',
    ]);
    expect(readFileSync(unitPath(), 'utf8')).toContain('gateway --port 19666');
  });

  it('names the unit, state dir and description after the profile (global --profile)', async () => {
    const { code, json } = await runIsolatedJson<ServiceActionResult>(['--profile', 'rescue', 'gateway', 'install', '--port', '19789'], sandbox.env());
    expect(code).toBe(0);
    expect(json.label).toBe('openclaw-gateway-rescue.service');
    const unit = readFileSync(unitPath('openclaw-gateway-rescue.service'), 'utf8');
    expect(unit).toContain(`Description=OpenClaw Gateway (profile: rescue, v${SERVER_VERSION})`);
    expect(unit).toContain('Environment=OPENCLAW_PROFILE=rescue');
    expect(unit).toContain(`Environment=OPENCLAW_STATE_DIR=${join(sandbox.home, '.openclaw-rescue')}`);
    expect(sandbox.calls()).toContain('systemctl --user enable --now openclaw-gateway-rescue.service');
    expect(existsSync(unitPath())).toBe(false);
  });

  it('uninstalls: disable --now, removes the unit and env file, reloads; then it is a no-op', async () => {
    await install(['--token', 't0ken']);
    sandbox.clearCalls();
    const { code, json } = await runIsolatedJson<ServiceActionResult>(['gateway', 'uninstall'], sandbox.env());
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, result: 'removed' });
    expect(sandbox.calls()).toEqual(['systemctl --user disable --now openclaw-gateway.service', 'systemctl --user daemon-reload']);
    expect(existsSync(unitPath())).toBe(false);
    expect(existsSync(join(sandbox.home, '.openclaw', 'gateway.systemd.env'))).toBe(false);

    sandbox.clearCalls();
    const again = await runIsolatedJson<ServiceActionResult>(['gateway', 'uninstall'], sandbox.env());
    expect(again.json).toMatchObject({ ok: true, result: 'not-installed' });
    expect(sandbox.calls()).toEqual([]);
  });

  it('starts, stops and restarts the installed unit; start without one fails', async () => {
    const missing = await runIsolatedCli(['gateway', 'start'], sandbox.env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('openclaw gateway install');
    await install();
    sandbox.clearCalls();
    for (const action of ['start', 'stop', 'restart']) {
      const run = await runIsolatedCli(['gateway', action], sandbox.env());
      expect(run.code, run.stderr).toBe(0);
    }
    expect(sandbox.calls()).toEqual([
      'systemctl --user enable --now openclaw-gateway.service',
      'systemctl --user stop openclaw-gateway.service',
      'systemctl --user restart openclaw-gateway.service',
    ]);
  });

  it('reports a failing systemctl with the command and exit 1 (unit file kept for inspection)', async () => {
    sandbox.respond('systemctl', 'enable', { stdout: '', code: 1 });
    const run = await runIsolatedJson<ServiceActionResult>(['gateway', 'install'], sandbox.env());
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, result: 'failed' });
    expect(run.json.message).toContain('systemctl --user enable --now openclaw-gateway.service');
    expect(run.json.commands.at(-1)).toMatchObject({ argv: ['systemctl', '--user', 'enable', '--now', 'openclaw-gateway.service'], code: 1 });
    expect(existsSync(unitPath())).toBe(true);
  });

  it('redoes a failed install in full on the next install, instead of "already installed"', async () => {
    sandbox.respond('systemctl', 'enable', { stdout: '', code: 1 });
    const failed = await runIsolatedJson<ServiceActionResult>(['gateway', 'install'], sandbox.env());
    expect(failed.code).toBe(1);
    expect(failed.json).toMatchObject({ ok: false, result: 'failed' });
    expect(failed.json.message).toContain('the install did not complete');
    // Still failing: reported as failed again, never as installed.
    const stillFailing = await runIsolatedJson<ServiceActionResult>(['gateway', 'install'], sandbox.env());
    expect(stillFailing.code).toBe(1);
    expect(stillFailing.json).toMatchObject({ ok: false, result: 'failed' });
    // Fixed: the next install writes, reloads, enables and starts it, like a first install.
    sandbox.respond('systemctl', 'enable', { code: 0 });
    sandbox.clearCalls();
    const retried = await install();
    expect(retried).toMatchObject({ ok: true, result: 'installed' });
    expect(sandbox.calls()).toEqual(expect.arrayContaining(['systemctl --user daemon-reload', 'systemctl --user enable --now openclaw-gateway.service']));
    expect((await install()).result).toBe('already-installed');
  });

  it('refuses to install over an invalid config', async () => {
    const state = join(sandbox.home, '.openclaw');
    await runIsolatedCli(['setup'], sandbox.env());
    writeFileSync(join(state, 'openclaw.json'), '{ gateway: { port: "nope" } }');
    const run = await runIsolatedJson<{ ok: boolean; error: { type: string; message: string } }>(['gateway', 'install'], sandbox.env());
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, error: { type: 'invalid_config' } });
    expect(existsSync(unitPath())).toBe(false);
    expect(sandbox.calls()).toEqual([]);
  });
});

describe('gateway install on macOS (launchd) and Windows (schtasks)', () => {
  it('writes the LaunchAgent plist, env file and wrapper, then enables and bootstraps it', async () => {
    const uid = String(process.getuid?.() ?? 0);
    const result = await install(['--token', 'mac-secret'], { OPENCLAW_SERVICE_PLATFORM: 'darwin' });
    const plist = join(sandbox.home, 'Library', 'LaunchAgents', 'ai.openclaw.gateway.plist');
    expect(result).toMatchObject({ manager: 'launchd', label: 'ai.openclaw.gateway', definitionPath: plist });
    expect(sandbox.calls()).toEqual([`launchctl enable gui/${uid}/ai.openclaw.gateway`, `launchctl bootstrap gui/${uid} ${plist}`]);
    const text = readFileSync(plist, 'utf8');
    const keys = [...text.matchAll(/^ {4}<key>([A-Za-z]+)<\/key>/gm)].map((m) => m[1]);
    expect(keys).toEqual([
      'Label', 'Comment', 'RunAtLoad', 'KeepAlive', 'ExitTimeOut', 'ProcessType', 'ThrottleInterval', 'Umask', 'StandardInPath',
      'ProgramArguments', 'WorkingDirectory', 'StandardOutPath', 'StandardErrorPath', 'EnvironmentVariables',
    ]);
    expect(text).toContain('<string>/bin/sh</string>');
    expect(text).toContain('<key>OPENCLAW_SERVICE_MARKER</key>');
    expect(text).not.toContain('mac-secret');
    const envFile = join(sandbox.home, '.openclaw', 'service-env', 'ai.openclaw.gateway.env');
    expect(readFileSync(envFile, 'utf8')).toContain("export OPENCLAW_GATEWAY_TOKEN='mac-secret'");
    expect(mode(envFile)).toBe('600');
    expect(mode(join(sandbox.home, '.openclaw', 'service-env', 'ai.openclaw.gateway-env-wrapper.sh'))).toBe('700');

    sandbox.clearCalls();
    const removed = await runIsolatedJson<ServiceActionResult>(['gateway', 'uninstall'], sandbox.env({ OPENCLAW_SERVICE_PLATFORM: 'darwin' }));
    expect(removed.json.result).toBe('removed');
    expect(sandbox.calls()).toEqual([`launchctl bootout gui/${uid}/ai.openclaw.gateway`]);
    expect(existsSync(plist)).toBe(false);
  });

  it('labels a named profile ai.openclaw.<profile>', async () => {
    const result = await install([], { OPENCLAW_SERVICE_PLATFORM: 'darwin', OPENCLAW_PROFILE: 'work' });
    expect(result.label).toBe('ai.openclaw.work');
    expect(existsSync(join(sandbox.home, 'Library', 'LaunchAgents', 'ai.openclaw.work.plist'))).toBe(true);
  });

  it('registers a Scheduled Task from its XML and runs it', async () => {
    const result = await install(['--token', 'win-secret'], { OPENCLAW_SERVICE_PLATFORM: 'win32', OPENCLAW_PROFILE: 'rescue' });
    const state = join(sandbox.home, '.openclaw-rescue');
    const xmlPath = join(state, 'gateway-task.xml');
    expect(result).toMatchObject({ manager: 'schtasks', label: 'OpenClaw Gateway (rescue)', definitionPath: xmlPath });
    expect(sandbox.calls()).toEqual([`schtasks /Create /F /TN OpenClaw Gateway (rescue) /XML ${xmlPath}`, 'schtasks /Run /TN OpenClaw Gateway (rescue)']);
    const bytes = readFileSync(xmlPath);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const xml = bytes.subarray(2).toString('utf16le');
    expect(xml).toContain('<LogonTrigger>');
    expect(xml).toContain(`<Command>${join(state, 'gateway.cmd')}</Command>`);
    const script = readFileSync(join(state, 'gateway.cmd'), 'utf8');
    expect(script).toContain('set "OPENCLAW_SERVICE_KIND=gateway"');
    expect(script).toContain('gateway" "--port"');
    expect(script).not.toContain('win-secret');
    expect(readFileSync(join(state, 'gateway.env.cmd'), 'utf8')).toContain('set "OPENCLAW_GATEWAY_TOKEN=win-secret"');
  });
});
