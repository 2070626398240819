import { readFile } from 'node:fs/promises';
import type { ServiceRuntime } from '../../../protocol/cli/service.js';
import { runRequired, ServiceCommandError } from './exec.js';
import { parseTaskScript, schtasksFiles, schtasksLayout } from './schtasks-xml.js';
import {
  disableStartupEntry, installStartupEntry, launchStartupEntry, removeStartupEntry, shouldFallBackToStartup,
  startupEntryState, startupRuntime, stopStartupGateway,
} from './schtasks-startup.js';
import type { ServiceSpec } from './spec.js';
import type { CommandRunner } from './exec.js';
import type { ServiceInspection, ServiceManager } from './types.js';

/**
 * Windows Scheduled Task (logon trigger) that runs `<state>\gateway.cmd`.
 *
 *   install (fresh)    schtasks /Create /F /TN <name> /XML <xml> → /Run /TN <name>
 *   install --force    /End → /Create /F … → /Run
 *   uninstall          /End → /Delete /F /TN <name> → rm xml, script, env file (and a login item)
 *   stop --disable     /End → /Change /TN <name> /DISABLE
 *   start              /Change /TN <name> /ENABLE → /Run
 *
 * When `/Create` is denied (a locked-down account), install falls back to a Startup-folder login
 * item (schtasks-startup.ts); start/stop/restart/status/uninstall then drive that instead.
 */

/** The Startup-folder login item is in use: no task registered, an entry present. */
async function usesStartupEntry(run: CommandRunner, spec: ServiceSpec): Promise<'enabled' | 'disabled' | false> {
  const state = startupEntryState(spec);
  if (state === 'absent') return false;
  const query = await run('schtasks', ['/Query', '/TN', spec.label]);
  return query.code === 0 ? false : state;
}

/** Parses `schtasks /Query /V /FO LIST` output (`Status: Running`, `Last Result: 0`). */
export function parseSchtasksQuery(text: string): ServiceRuntime {
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.+?)\\s*$`, 'mi').exec(text)?.[1];
  const state = field('Status');
  const lastResult = Number(field('Last Result'));
  return {
    status: state === 'Running' ? 'running' : state ? 'stopped' : 'unknown',
    ...(state ? { state } : {}),
    ...(Number.isInteger(lastResult) ? { lastExitStatus: lastResult } : {}),
  };
}

/** The schtasks manager. */
export const schtasksManager: ServiceManager = {
  kind: 'schtasks',
  loadedText: 'registered',
  notLoadedText: 'not registered',
  files: schtasksFiles,
  parseDefinition(files, spec) {
    const text = files.get(schtasksLayout(spec).scriptPath);
    return text === undefined ? null : parseTaskScript(text);
  },
  async activate(run, spec, mode) {
    if (mode === 'replace') await run('schtasks', ['/End', '/TN', spec.label]);
    const args = ['/Create', '/F', '/TN', spec.label, '/XML', schtasksLayout(spec).xmlPath];
    const created = await run('schtasks', args);
    if (created.code !== 0 && !created.missing && shouldFallBackToStartup(created)) {
      if (mode === 'replace') stopStartupGateway(spec);
      const entry = await installStartupEntry(run, spec);
      const why = (created.stderr || created.stdout).trim() || `exit ${created.code}`;
      return `Scheduled Task creation was denied (${why}); installed a Startup-folder login item instead: ${entry} (it starts the gateway at logon and was started now).`;
    }
    if (created.code !== 0) throw new ServiceCommandError(['schtasks', ...args], created);
    await removeStartupEntry(spec); // a task now exists: an older login item would start a second gateway
    await runRequired(run, 'schtasks', ['/Run', '/TN', spec.label]);
  },
  async deactivate(run, spec) {
    if (await usesStartupEntry(run, spec)) stopStartupGateway(spec);
    await removeStartupEntry(spec);
    await run('schtasks', ['/End', '/TN', spec.label]);
    await run('schtasks', ['/Delete', '/F', '/TN', spec.label]);
  },
  async afterRemove() {},
  async start(run, spec) {
    if (await usesStartupEntry(run, spec)) {
      await launchStartupEntry(run, spec);
      return;
    }
    await runRequired(run, 'schtasks', ['/Change', '/TN', spec.label, '/ENABLE']);
    await runRequired(run, 'schtasks', ['/Run', '/TN', spec.label]);
  },
  async stop(run, spec) {
    if (await usesStartupEntry(run, spec)) {
      stopStartupGateway(spec);
      return;
    }
    await runRequired(run, 'schtasks', ['/End', '/TN', spec.label]);
  },
  async restart(run, spec) {
    if (await usesStartupEntry(run, spec)) {
      stopStartupGateway(spec);
      await launchStartupEntry(run, spec);
      return;
    }
    await run('schtasks', ['/End', '/TN', spec.label]);
    await runRequired(run, 'schtasks', ['/Run', '/TN', spec.label]);
  },
  async disable(run, spec) {
    if (await usesStartupEntry(run, spec)) {
      stopStartupGateway(spec);
      await disableStartupEntry(spec);
      return;
    }
    await run('schtasks', ['/End', '/TN', spec.label]);
    await runRequired(run, 'schtasks', ['/Change', '/TN', spec.label, '/DISABLE']);
  },
  async inspect(run, spec): Promise<ServiceInspection> {
    const result = await run('schtasks', ['/Query', '/TN', spec.label, '/V', '/FO', 'LIST']);
    if (result.missing) return { loaded: null, enabled: null, runtime: { status: 'unknown', detail: 'schtasks not found' } };
    const entry = result.code === 0 ? 'absent' : startupEntryState(spec);
    if (entry !== 'absent') return { loaded: true, enabled: entry === 'enabled', runtime: startupRuntime(spec, entry) };
    if (result.code !== 0) return { loaded: false, enabled: null, runtime: { status: 'stopped', detail: `no Scheduled Task named ${spec.label}` } };
    const runtime = parseSchtasksQuery(result.stdout);
    const disabled = /^\s*Scheduled Task State:\s*Disabled/im.test(result.stdout);
    return { loaded: true, enabled: !disabled, runtime };
  },
  async recentLogLines(_run, spec) {
    try {
      return (await readFile(schtasksLayout(spec).logPath, 'utf8')).split(/\r?\n/).slice(-200).filter((line) => line.trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  async installHints() {
    return [];
  },
};
