import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandRunner } from '../../../../actors/ops/service-managers/exec.js';
import { launchdManager } from '../../../../actors/ops/service-managers/launchd.js';
import { schtasksManager } from '../../../../actors/ops/service-managers/schtasks.js';
import { controlService, inspectService, installService, uninstallService } from '../../../../actors/ops/service-managers/lifecycle.js';
import { buildServiceSpec } from '../../../../actors/ops/service-managers/spec.js';
import { systemdManager } from '../../../../actors/ops/service-managers/systemd.js';
import type { ServiceManager } from '../../../../actors/ops/service-managers/types.js';
import { createFakeSupervisors, type FakeSupervisors } from '../../../helpers/fake-supervisors.js';
import { inputs } from '../../../helpers/service-inputs.js';

/** The service flows driven directly, against the recording fakes (no CLI process). */

let sandbox: FakeSupervisors;
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(() => sandbox.cleanup());

/** The same manager, with every file moved into the sandbox (a system unit would go to /etc). */
const sandboxed = (manager: ServiceManager): ServiceManager => ({
  ...manager,
  files: (spec) => manager.files(spec).map((file) => ({ ...file, path: join(sandbox.root, 'files', basename(file.path)) })),
  parseDefinition: (files, spec) => {
    const definition = manager.files(spec)[0];
    const moved = join(sandbox.root, 'files', basename(definition?.path ?? ''));
    const remapped = new Map([...files].map(([path, text]) => [path === moved ? definition?.path ?? path : path, text]));
    return manager.parseDefinition(remapped, spec);
  },
});

const runner = () => createCommandRunner(sandbox.env());

describe('service lifecycle', () => {
  it('drives a --system unit with plain systemctl (no --user) and no lingering check', async () => {
    const spec = buildServiceSpec(inputs({ scope: 'system', home: sandbox.home, stateDir: join(sandbox.home, '.openclaw') }));
    const manager = sandboxed(systemdManager);
    const installed = await installService(manager, spec, runner(), { force: false });
    expect(installed).toMatchObject({ ok: true, result: 'installed', scope: 'system', hints: [] });
    const unit = readFileSync(join(sandbox.root, 'files', 'openclaw-gateway.service'), 'utf8');
    expect(unit).toContain('User=alice');
    expect(unit).toContain('WantedBy=multi-user.target');
    await controlService(manager, spec, runner(), 'restart');
    await uninstallService(manager, spec, runner());
    expect(sandbox.calls()).toEqual([
      'systemctl daemon-reload',
      'systemctl enable --now openclaw-gateway.service',
      'systemctl restart openclaw-gateway.service',
      'systemctl disable --now openclaw-gateway.service',
      'systemctl daemon-reload',
    ]);
  });

  it('starts, stops and restarts a LaunchAgent depending on whether launchd has it loaded', async () => {
    const spec = buildServiceSpec(inputs({ platform: 'darwin', home: sandbox.home, stateDir: join(sandbox.home, '.openclaw'), uid: 501 }));
    const manager = sandboxed(launchdManager);
    await installService(manager, spec, runner(), { force: false });
    sandbox.clearCalls();
    sandbox.respond('launchctl', 'print', { stdout: 'gui/501/ai.openclaw.gateway = {\n\tstate = running\n\tpid = 77\n}\n' });
    await controlService(manager, spec, runner(), 'restart');
    await controlService(manager, spec, runner(), 'stop');
    const summary = await inspectService(manager, spec, runner());
    expect(summary).toMatchObject({ manager: 'launchd', installed: true, loaded: true, runtime: { status: 'running', pid: 77 } });
    sandbox.respond('launchctl', 'print', { stdout: '', code: 113 });
    sandbox.clearCalls();
    await controlService(manager, spec, runner(), 'start');
    expect(sandbox.calls()).toEqual([
      'launchctl print gui/501/ai.openclaw.gateway',
      'launchctl enable gui/501/ai.openclaw.gateway',
      `launchctl bootstrap gui/501 ${join(sandbox.home, 'Library', 'LaunchAgents', 'ai.openclaw.gateway.plist')}`,
    ]);
    expect((await inspectService(manager, spec, runner())).runtime).toMatchObject({ status: 'stopped' });
  });

  it('reinstalls a Scheduled Task with --force (/End, /Create, /Run) and uninstalls it (/End, /Delete)', async () => {
    const spec = buildServiceSpec(inputs({ platform: 'win32', home: sandbox.home, stateDir: join(sandbox.home, '.openclaw') }));
    const manager = sandboxed(schtasksManager);
    await installService(manager, spec, runner(), { force: false });
    sandbox.clearCalls();
    const again = await installService(manager, spec, runner(), { force: true });
    expect(again.result).toBe('reinstalled');
    const xml = join(sandbox.root, 'files', 'gateway-task.xml');
    await uninstallService(manager, spec, runner());
    expect(sandbox.calls()).toEqual([
      'schtasks /End /TN OpenClaw Gateway',
      // The manager names the layout path (the sandbox only moved where the files were written).
      `schtasks /Create /F /TN OpenClaw Gateway /XML ${join(sandbox.home, '.openclaw', 'gateway-task.xml')}`,
      'schtasks /Run /TN OpenClaw Gateway',
      'schtasks /End /TN OpenClaw Gateway',
      'schtasks /Delete /F /TN OpenClaw Gateway',
    ]);
    expect(existsSync(xml)).toBe(false);
  });

  it('reports a missing supervisor as unknown, not as a crash', async () => {
    const spec = buildServiceSpec(inputs({ home: sandbox.home, stateDir: join(sandbox.home, '.openclaw') }));
    const bare = createCommandRunner({ ...sandbox.env(), PATH: join(sandbox.root, 'nothing') });
    const summary = await inspectService(sandboxed(systemdManager), spec, bare);
    expect(summary).toMatchObject({ installed: false, loaded: null, enabled: null, runtime: { status: 'unknown', detail: 'systemctl not found: no systemd on this machine' } });
  });
});
