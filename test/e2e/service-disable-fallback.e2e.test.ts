import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceActionResult } from '../../protocol/cli/service.js';
import type { GatewayStatusReport } from '../../protocol/cli/gateway-status.js';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';

/**
 * `gateway stop --disable` on each supervisor, and the Windows Startup-folder fallback when
 * Scheduled Task creation is denied, against the recording fakes (issue 11 item 8).
 */

let sandbox: FakeSupervisors;
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(() => sandbox.cleanup());

async function cli(args: string[], env: Record<string, string> = {}): Promise<ServiceActionResult> {
  const { code, json, stderr } = await runIsolatedJson<ServiceActionResult>(args, sandbox.env(env));
  expect(code, `${stderr}\n${JSON.stringify(json)}`).toBe(0);
  return json;
}

describe('gateway stop --disable', { timeout: 60_000 }, () => {
  it('systemd: disable --now; start enables and starts again', async () => {
    await cli(['gateway', 'install']);
    sandbox.clearCalls();
    const stopped = await cli(['gateway', 'stop', '--disable']);
    expect(stopped).toMatchObject({ ok: true, action: 'stop', result: 'disabled' });
    expect(stopped.message).toContain('will not start at boot or login until `openclaw gateway start`');
    await cli(['gateway', 'start']);
    expect(sandbox.calls()).toEqual(['systemctl --user disable --now openclaw-gateway.service', 'systemctl --user enable --now openclaw-gateway.service']);
  });

  it('launchd: launchctl disable, then bootout; start enables and bootstraps', async () => {
    const uid = String(process.getuid?.() ?? 0);
    const env = { OPENCLAW_SERVICE_PLATFORM: 'darwin' };
    await cli(['gateway', 'install'], env);
    sandbox.clearCalls();
    await cli(['gateway', 'stop', '--disable'], env);
    sandbox.respond('launchctl', 'print', { code: 113 }); // not loaded any more
    await cli(['gateway', 'start'], env);
    const target = `gui/${uid}/ai.openclaw.gateway`;
    const plist = join(sandbox.home, 'Library', 'LaunchAgents', 'ai.openclaw.gateway.plist');
    expect(sandbox.calls()).toEqual([
      `launchctl disable ${target}`, `launchctl print ${target}`, `launchctl bootout ${target}`,
      `launchctl print ${target}`, `launchctl enable ${target}`, `launchctl bootstrap gui/${uid} ${plist}`,
    ]);
  });

  it('schtasks: /End and /Change /DISABLE; start re-enables and runs', async () => {
    const env = { OPENCLAW_SERVICE_PLATFORM: 'win32' };
    await cli(['gateway', 'install'], env);
    sandbox.clearCalls();
    await cli(['gateway', 'stop', '--disable'], env);
    await cli(['gateway', 'start'], env);
    expect(sandbox.calls()).toEqual([
      'schtasks /End /TN OpenClaw Gateway', 'schtasks /Change /TN OpenClaw Gateway /DISABLE',
      'schtasks /Change /TN OpenClaw Gateway /ENABLE', 'schtasks /Run /TN OpenClaw Gateway',
    ]);
  });

  it('is refused as an unknown flag on start and restart', async () => {
    await cli(['gateway', 'install']);
    for (const action of ['start', 'restart']) {
      const run = await runIsolatedCli(['gateway', action, '--disable'], sandbox.env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--disable');
    }
  });
});

describe('Windows: Startup-folder fallback when Scheduled Task creation is denied', { timeout: 60_000 }, () => {
  it('installs a login item, reports it in status, stops, disables, starts and uninstalls it', async () => {
    const env = { OPENCLAW_SERVICE_PLATFORM: 'win32' };
    sandbox.respond('schtasks', 'Create', { stdout: 'ERROR: Access is denied.\n', code: 1 });
    sandbox.respond('schtasks', 'Query', { stdout: 'ERROR: The system cannot find the file specified.\n', code: 1 });
    const state = join(sandbox.home, '.openclaw');
    const entry = join(sandbox.home, 'AppData', 'Roaming', 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'OpenClaw Gateway.cmd');

    const installed = await cli(['gateway', 'install'], env);
    expect(installed).toMatchObject({ ok: true, result: 'installed', manager: 'schtasks' });
    expect(installed.message).toBe(
      `Scheduled Task creation was denied (ERROR: Access is denied.); installed a Startup-folder login item instead: ${entry} (it starts the gateway at logon and was started now).`,
    );
    expect(readFileSync(entry, 'utf8')).toMatch(/^@echo off\r\nrem OpenClaw Gateway \(v[^)]+\) - Startup-folder login item written by openclaw gateway install\r\n/);
    expect(readFileSync(entry, 'utf8')).toContain(`start "" /min cmd.exe /d /c "${join(state, 'gateway.cmd')}"\r\n`);
    expect(sandbox.calls()).toEqual([`schtasks /Create /F /TN OpenClaw Gateway /XML ${join(state, 'gateway-task.xml')}`, `cmd /d /c ${entry}`]);

    // The login item's gateway is the journal writer: its pid is in the lock file.
    const gateway = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = once(gateway, 'exit');
    writeFileSync(join(state, 'journal.sqlite.lock'), `${gateway.pid}\n`);
    const status = await runIsolatedJson<GatewayStatusReport>(['gateway', 'status', '--no-probe'], sandbox.env(env));
    expect(status.json.service).toMatchObject({ installed: true, loaded: true, enabled: true, runtime: { status: 'running', pid: gateway.pid, detail: `Startup-folder login item ${entry}` } });

    sandbox.clearCalls();
    await cli(['gateway', 'stop'], env);
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGTERM');
    expect(sandbox.calls()).toEqual(['schtasks /Query /TN OpenClaw Gateway']);

    await cli(['gateway', 'stop', '--disable'], env);
    expect(existsSync(entry)).toBe(false);
    expect(existsSync(`${entry}.disabled`)).toBe(true);
    const disabled = await runIsolatedJson<GatewayStatusReport>(['gateway', 'status', '--no-probe'], sandbox.env(env));
    expect(disabled.json.service).toMatchObject({ loaded: true, enabled: false, runtime: { status: 'stopped' } });

    sandbox.clearCalls();
    await cli(['gateway', 'start'], env);
    expect(existsSync(entry)).toBe(true);
    expect(sandbox.calls()).toEqual(['schtasks /Query /TN OpenClaw Gateway', `cmd /d /c ${entry}`]);

    const removed = await cli(['gateway', 'uninstall'], env);
    expect(removed.result).toBe('removed');
    expect(existsSync(entry)).toBe(false);
    expect(existsSync(`${entry}.disabled`)).toBe(false);
  }, 60_000); // nine CLI runs one after another

  it('registers the task as usual when /Create succeeds (no login item)', async () => {
    const env = { OPENCLAW_SERVICE_PLATFORM: 'win32' };
    await cli(['gateway', 'install'], env);
    expect(existsSync(join(sandbox.home, 'AppData'))).toBe(false);
    expect(sandbox.calls().at(-1)).toBe('schtasks /Run /TN OpenClaw Gateway');
  });
});
