import { readFile } from 'node:fs/promises';
import type { ServiceRuntime } from '../../../protocol/cli/service.js';
import { runRequired, type CommandRunner } from './exec.js';
import { launchdFiles, launchdLayout, parseLaunchAgentPlist } from './launchd-plist.js';
import type { ServiceSpec } from './spec.js';
import type { ServiceInspection, ServiceManager } from './types.js';

/**
 * launchd LaunchAgents in the `gui/<uid>` domain.
 *
 *   install (fresh)    enable gui/<uid>/<label> → bootstrap gui/<uid> <plist>   (RunAtLoad starts it)
 *   install --force    bootout gui/<uid>/<label> → enable → bootstrap
 *   stop               bootout gui/<uid>/<label>   (no persistent disable: KeepAlive still works next login)
 *   stop --disable     disable gui/<uid>/<label> → bootout   (stays off across logins until `start`)
 *   start              kickstart when loaded, else enable → bootstrap
 *   restart            kickstart -k gui/<uid>/<label>
 *   uninstall          bootout → rm plist, env file, wrapper
 */

const domain = (spec: ServiceSpec) => `gui/${spec.uid}`;
const target = (spec: ServiceSpec) => `${domain(spec)}/${spec.label}`;

/** Parses `launchctl print` output: `state = running`, `pid = 123`, `last exit code = 1`. */
export function parseLaunchctlPrint(text: string): ServiceRuntime {
  const field = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*(.+?)\\s*$`, 'mi').exec(text)?.[1];
  const state = field('state');
  const pid = Number(field('pid'));
  const lastExit = field('last exit code') ?? field('last exit status');
  const lastExitNumber = Number(lastExit);
  return {
    status: state === 'running' ? 'running' : state ? 'stopped' : 'unknown',
    ...(state ? { state } : {}),
    ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}),
    ...(lastExit !== undefined && Number.isInteger(lastExitNumber) ? { lastExitStatus: lastExitNumber } : {}),
  };
}

async function bootstrap(run: CommandRunner, spec: ServiceSpec): Promise<void> {
  await runRequired(run, 'launchctl', ['enable', target(spec)]);
  await runRequired(run, 'launchctl', ['bootstrap', domain(spec), launchdLayout(spec).plistPath]);
}

async function isLoaded(run: CommandRunner, spec: ServiceSpec): Promise<boolean> {
  return (await run('launchctl', ['print', target(spec)])).code === 0;
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split(/\r?\n/).slice(-200);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The launchd manager. */
export const launchdManager: ServiceManager = {
  kind: 'launchd',
  loadedText: 'loaded',
  notLoadedText: 'not loaded',
  files: launchdFiles,
  parseDefinition(files, spec) {
    const text = files.get(launchdLayout(spec).plistPath);
    return text === undefined ? null : parseLaunchAgentPlist(text);
  },
  async activate(run, spec, mode) {
    if (mode === 'replace') await run('launchctl', ['bootout', target(spec)]);
    await bootstrap(run, spec);
  },
  async deactivate(run, spec) {
    await run('launchctl', ['bootout', target(spec)]);
  },
  async afterRemove() {},
  async start(run, spec) {
    if (await isLoaded(run, spec)) await runRequired(run, 'launchctl', ['kickstart', target(spec)]);
    else await bootstrap(run, spec);
  },
  async stop(run, spec) {
    if (await isLoaded(run, spec)) await runRequired(run, 'launchctl', ['bootout', target(spec)]);
  },
  async restart(run, spec) {
    if (await isLoaded(run, spec)) await runRequired(run, 'launchctl', ['kickstart', '-k', target(spec)]);
    else await bootstrap(run, spec);
  },
  async disable(run, spec) {
    await runRequired(run, 'launchctl', ['disable', target(spec)]);
    if (await isLoaded(run, spec)) await runRequired(run, 'launchctl', ['bootout', target(spec)]);
  },
  async inspect(run, spec): Promise<ServiceInspection> {
    const result = await run('launchctl', ['print', target(spec)]);
    if (result.missing) return { loaded: null, enabled: null, runtime: { status: 'unknown', detail: 'launchctl not found' } };
    if (result.code !== 0) return { loaded: false, enabled: null, runtime: { status: 'stopped', detail: `${spec.label} is not loaded in ${domain(spec)}` } };
    return { loaded: true, enabled: true, runtime: parseLaunchctlPrint(result.stdout) };
  },
  async recentLogLines(_run, spec) {
    const layout = launchdLayout(spec);
    return [...(await readLines(layout.stdoutPath)), ...(await readLines(layout.stderrPath))].filter((line) => line.trim());
  },
  async installHints() {
    return [];
  },
};
