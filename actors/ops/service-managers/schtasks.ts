import { readFile } from 'node:fs/promises';
import type { ServiceRuntime } from '../../../protocol/cli/service.js';
import { runRequired } from './exec.js';
import { parseTaskScript, schtasksFiles, schtasksLayout } from './schtasks-xml.js';
import type { ServiceInspection, ServiceManager } from './types.js';

/**
 * Windows Scheduled Task (logon trigger) that runs `<state>\gateway.cmd`.
 *
 *   install (fresh)    schtasks /Create /F /TN <name> /XML <xml> → /Run /TN <name>
 *   install --force    /End → /Create /F … → /Run
 *   uninstall          /End → /Delete /F /TN <name> → rm xml, script, env file
 */

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
    await runRequired(run, 'schtasks', ['/Create', '/F', '/TN', spec.label, '/XML', schtasksLayout(spec).xmlPath]);
    await runRequired(run, 'schtasks', ['/Run', '/TN', spec.label]);
  },
  async deactivate(run, spec) {
    await run('schtasks', ['/End', '/TN', spec.label]);
    await run('schtasks', ['/Delete', '/F', '/TN', spec.label]);
  },
  async afterRemove() {},
  async start(run, spec) {
    await runRequired(run, 'schtasks', ['/Run', '/TN', spec.label]);
  },
  async stop(run, spec) {
    await runRequired(run, 'schtasks', ['/End', '/TN', spec.label]);
  },
  async restart(run, spec) {
    await run('schtasks', ['/End', '/TN', spec.label]);
    await runRequired(run, 'schtasks', ['/Run', '/TN', spec.label]);
  },
  async inspect(run, spec): Promise<ServiceInspection> {
    const result = await run('schtasks', ['/Query', '/TN', spec.label, '/V', '/FO', 'LIST']);
    if (result.missing) return { loaded: null, enabled: null, runtime: { status: 'unknown', detail: 'schtasks not found' } };
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
