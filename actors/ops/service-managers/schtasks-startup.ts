import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import type { ServiceRuntime } from '../../../protocol/cli/service.js';
import type { CommandRunner } from './exec.js';
import { schtasksLayout } from './schtasks-xml.js';
import type { ServiceSpec } from './spec.js';

/**
 * The Windows fallback when Scheduled Task creation is denied (as the official CLI does): a
 * `<task name>.cmd` login item in the user's Startup folder that starts `<state>\gateway.cmd`
 * minimised. There is no supervisor behind it, so its process is the journal writer: the pid in
 * `<state>\journal.sqlite.lock` is what `stop` ends and `status` reports.
 */

const joinLike = (base: string, ...parts: string[]) => (base.includes('\\') ? win32.join(base, ...parts) : posix.join(base, ...parts));

/** `%USERPROFILE%\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\<task name>.cmd` (and its `.disabled` twin). */
export function startupEntryPaths(spec: ServiceSpec): { readonly entry: string; readonly disabled: string } {
  const dir = joinLike(spec.home, 'AppData', 'Roaming', 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup');
  const entry = joinLike(dir, `${spec.label.replace(/[<>:"/\\|?*\p{Cc}]/gu, '_')}.cmd`);
  return { entry, disabled: `${entry}.disabled` };
}

/** The login item: starts the task script minimised, so logging in starts the gateway. */
export function renderStartupEntry(spec: ServiceSpec): string {
  const { scriptPath } = schtasksLayout(spec);
  return ['@echo off', `rem ${spec.description} - Startup-folder login item written by openclaw gateway install`, `start "" /min cmd.exe /d /c "${scriptPath}"`, ''].join('\r\n');
}

/** Whether `schtasks /Create` failed in a way the official CLI answers with the Startup-folder fallback. */
export function shouldFallBackToStartup(result: { code: number; stdout: string; stderr: string }): boolean {
  return result.code === 1 || result.code === 124 || /access is denied|acceso denegado/i.test(`${result.stderr}\n${result.stdout}`);
}

/** Which form of the login item exists, if any. */
export function startupEntryState(spec: ServiceSpec): 'enabled' | 'disabled' | 'absent' {
  const paths = startupEntryPaths(spec);
  return existsSync(paths.entry) ? 'enabled' : existsSync(paths.disabled) ? 'disabled' : 'absent';
}

/** Writes the login item (creating the Startup folder) and runs it once, so the gateway starts now. */
export async function installStartupEntry(run: CommandRunner, spec: ServiceSpec): Promise<string> {
  const { entry, disabled } = startupEntryPaths(spec);
  await mkdir(joinLike(entry, '..'), { recursive: true });
  await rm(disabled, { force: true });
  await writeFile(entry, renderStartupEntry(spec), { mode: 0o600 });
  await launchStartupEntry(run, spec);
  return entry;
}

/** Runs the login item now (`cmd /d /c <entry>`, which returns at once). */
export async function launchStartupEntry(run: CommandRunner, spec: ServiceSpec): Promise<void> {
  const paths = startupEntryPaths(spec);
  if (!existsSync(paths.entry) && existsSync(paths.disabled)) await rename(paths.disabled, paths.entry);
  const result = await run('cmd', ['/d', '/c', paths.entry]);
  if (result.code !== 0) throw new Error(`starting the login item ${paths.entry} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`);
}

/** The pid of the gateway writing this profile's journal, when it is alive. */
export function runningGatewayPid(spec: ServiceSpec): number | undefined {
  const lock = `${joinLike(spec.stateDir, 'journal.sqlite')}.lock`;
  if (!existsSync(lock)) return undefined;
  const pid = Number(readFileSync(lock, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** Ends the gateway the login item started (there is no supervisor to ask); false when none runs. */
export function stopStartupGateway(spec: ServiceSpec): boolean {
  const pid = runningGatewayPid(spec);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  return true;
}

/** Persistently disables the login item (renamed to `.disabled`, which Windows does not run). */
export async function disableStartupEntry(spec: ServiceSpec): Promise<void> {
  const paths = startupEntryPaths(spec);
  if (existsSync(paths.entry)) await rename(paths.entry, paths.disabled);
}

/** Removes the login item in either form. */
export async function removeStartupEntry(spec: ServiceSpec): Promise<void> {
  const paths = startupEntryPaths(spec);
  await rm(paths.entry, { force: true });
  await rm(paths.disabled, { force: true });
}

/** What `status` can say about a login item: running when the journal writer's pid is alive. */
export function startupRuntime(spec: ServiceSpec, state: 'enabled' | 'disabled'): ServiceRuntime {
  const pid = runningGatewayPid(spec);
  const detail = `Startup-folder login item ${state === 'enabled' ? startupEntryPaths(spec).entry : `${startupEntryPaths(spec).disabled} (disabled)`}`;
  return pid === undefined ? { status: 'stopped', detail } : { status: 'running', pid, detail };
}
