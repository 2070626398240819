import type { ServiceActionResult, ServiceDrift, ServiceSummary } from '../../../protocol/cli/service.js';
import { ServiceCommandError, type RecordingRunner } from './exec.js';
import { auditService, planInstall } from './audit.js';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseEnvFile, readServiceFiles, removeServiceFiles, writeServiceFiles } from './files.js';
import type { ServiceFile, ServiceSpec } from './spec.js';
import { envFileKeys } from './systemd-unit.js';
import type { ServiceManager } from './types.js';

/**
 * The service flows every supervisor shares: install (write files, then register and start),
 * uninstall, start/stop/restart, and inspection for `gateway status`. A failing supervisor
 * command is an expected outcome: it comes back as `ok:false` with the command that failed.
 */

type Action = ServiceActionResult['action'];

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

function result(
  action: Action,
  spec: ServiceSpec,
  manager: ServiceManager,
  runner: RecordingRunner,
  fields: { ok: boolean; result: string; message: string; files?: readonly ServiceFile[]; drift?: ServiceDrift[]; hints?: string[] },
): ServiceActionResult {
  const definition = manager.files(spec)[0];
  return {
    ok: fields.ok,
    action,
    result: fields.result,
    manager: manager.kind,
    scope: spec.scope,
    label: spec.label,
    definitionPath: definition?.path ?? '',
    files: (fields.files ?? []).map((file) => ({ path: file.path, mode: octal(file.mode) })),
    commands: [...runner.issued],
    drift: fields.drift ?? [],
    hints: fields.hints ?? [],
    message: fields.message,
  };
}

/** Runs `step`; a ServiceCommandError becomes an `ok:false` result, anything else propagates. */
async function attempt(
  action: Action,
  spec: ServiceSpec,
  manager: ServiceManager,
  runner: RecordingRunner,
  files: readonly ServiceFile[],
  step: () => Promise<ServiceActionResult>,
): Promise<ServiceActionResult> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof ServiceCommandError)) throw error;
    return result(action, spec, manager, runner, { ok: false, result: 'failed', message: error.message, files });
  }
}

/**
 * `gateway install`: a no-op when the definition exists (unless `force`), else writes every
 * file (secrets only in the owner-only env file) and registers + starts the service.
 */
export async function installService(manager: ServiceManager, spec: ServiceSpec, runner: RecordingRunner, options: { force: boolean }): Promise<ServiceActionResult> {
  const files = manager.files(spec);
  const definition = files[0] as ServiceFile;
  const existing = await readServiceFiles(files);
  // An install that did not complete (a supervisor command failed, or it was cut off) is redone in
  // full: the marker is written before the first file and removed once the service is started.
  const marker = incompleteInstallMarker(spec);
  const unfinished = await readUnfinishedInstall(marker, spec);
  const plan = unfinished ? 'fresh' : planInstall(existing.has(definition.path), options.force);
  if (plan === 'keep') {
    const drift = auditService(manager, spec, existing);
    const note = drift.length > 0 ? ` It differs from the current settings (${drift.map((d) => d.message).join('; ')}); reinstall with --force or run \`openclaw doctor --fix\`.` : '';
    return result('install', spec, manager, runner, {
      ok: true,
      result: 'already-installed',
      message: `Gateway service ${spec.label} is already installed (${definition.path}); use --force to reinstall.${note}`,
      drift,
    });
  }
  const outcome = await attempt('install', spec, manager, runner, files, async () => {
    await mkdir(dirname(marker), { recursive: true, mode: 0o700 });
    await writeFile(marker, JSON.stringify({ label: spec.label, scope: spec.scope }), { mode: 0o600 });
    await writeServiceFiles(files);
    const note = await manager.activate(runner.run, spec, plan);
    await rm(marker, { force: true });
    const hints = await manager.installHints(runner.run, spec);
    return result('install', spec, manager, runner, {
      ok: true,
      result: plan === 'fresh' ? 'installed' : 'reinstalled',
      message: `${note ?? `${plan === 'fresh' ? 'Installed' : 'Reinstalled'} gateway service ${spec.label} (${definition.path}) and started it.`}${unfinished ? ' (The previous install had not completed.)' : ''}`,
      files,
      hints,
    });
  });
  if (outcome.ok) return outcome;
  return { ...outcome, message: `${outcome.message}; the install did not complete (files kept for inspection): \`openclaw gateway install\` redoes it in full` };
}

/** Where an install in progress is recorded: `<state dir>/service-install.incomplete`. */
const incompleteInstallMarker = (spec: ServiceSpec): string => join(spec.stateDir, 'service-install.incomplete');

/** True when the marker names this service (same label and scope): its last install did not complete. */
async function readUnfinishedInstall(marker: string, spec: ServiceSpec): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(marker, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const recorded = JSON.parse(text) as { label?: unknown; scope?: unknown };
    return recorded.label === spec.label && recorded.scope === spec.scope;
  } catch {
    return true; // a torn marker: the install it records did not finish either
  }
}

/** `gateway uninstall`: stop and unregister, then remove every file; a no-op when nothing is installed. */
export async function uninstallService(manager: ServiceManager, spec: ServiceSpec, runner: RecordingRunner): Promise<ServiceActionResult> {
  const files = manager.files(spec);
  const definition = files[0] as ServiceFile;
  const existing = await readServiceFiles(files);
  if (!existing.has(definition.path)) {
    return result('uninstall', spec, manager, runner, { ok: true, result: 'not-installed', message: `Gateway service ${spec.label} is not installed (${definition.path}).` });
  }
  return attempt('uninstall', spec, manager, runner, files, async () => {
    await manager.deactivate(runner.run, spec);
    const removed = await removeServiceFiles(files);
    await rm(incompleteInstallMarker(spec), { force: true });
    await manager.afterRemove(runner.run, spec);
    return result('uninstall', spec, manager, runner, {
      ok: true,
      result: 'removed',
      message: `Removed gateway service ${spec.label} (${removed.join(', ')}).`,
      files: files.filter((file) => removed.includes(file.path)),
    });
  });
}

const PAST: Record<'start' | 'stop' | 'restart', string> = { start: 'started', stop: 'stopped', restart: 'restarted' };

/**
 * `gateway start|stop|restart`: needs an installed service (stop of a missing one is a no-op).
 * `stop` with `disable` also suppresses auto-start persistently (result `disabled`); `start` re-enables.
 */
export async function controlService(
  manager: ServiceManager,
  spec: ServiceSpec,
  runner: RecordingRunner,
  action: 'start' | 'stop' | 'restart',
  options: { readonly disable?: boolean } = {},
): Promise<ServiceActionResult> {
  const files = manager.files(spec);
  const definition = files[0] as ServiceFile;
  const existing = await readServiceFiles([definition]);
  if (!existing.has(definition.path)) {
    return result(action, spec, manager, runner, {
      ok: action === 'stop',
      result: 'not-installed',
      message: `Gateway service ${spec.label} is not installed (${definition.path}); run \`openclaw gateway install\` first.`,
    });
  }
  return attempt(action, spec, manager, runner, [], async () => {
    if (action === 'stop' && options.disable === true) {
      await manager.disable(runner.run, spec);
      return result(action, spec, manager, runner, {
        ok: true,
        result: 'disabled',
        message: `Gateway service ${spec.label} stopped and disabled: it will not start at boot or login until \`openclaw gateway start\`.`,
      });
    }
    await manager[action](runner.run, spec);
    return result(action, spec, manager, runner, { ok: true, result: PAST[action], message: `Gateway service ${spec.label} ${PAST[action]}.` });
  });
}

/** The `service` block of `gateway status`: files, supervisor view, and drift against `install` now. */
export async function inspectService(manager: ServiceManager, spec: ServiceSpec, runner: RecordingRunner): Promise<ServiceSummary> {
  const files = manager.files(spec);
  const definition = files[0] as ServiceFile;
  const existing = await readServiceFiles(files);
  const installed = existing.has(definition.path);
  const parsed = installed ? manager.parseDefinition(existing, spec) : null;
  const envFile = files.find((file) => file.role === 'env');
  const envText = envFile ? existing.get(envFile.path) : undefined;
  const inspection = await manager.inspect(runner.run, spec);
  const drift = auditService(manager, spec, existing);
  return {
    manager: manager.kind,
    platform: spec.platform,
    scope: spec.scope,
    label: spec.label,
    definitionPath: definition.path,
    installed,
    loaded: inspection.loaded,
    enabled: inspection.enabled,
    loadedText: manager.loadedText,
    notLoadedText: manager.notLoadedText,
    command: parsed
      ? { ...parsed, secretKeys: envText === undefined ? [] : envFileKeys(envText), sourcePath: definition.path }
      : null,
    runtime: inspection.runtime,
    configAudit: { ok: drift.length === 0, issues: drift },
  };
}

/** Secrets kept in the installed service's env file (for CLI commands that must authenticate like the service). */
export async function readServiceSecrets(manager: ServiceManager, spec: ServiceSpec): Promise<Record<string, string>> {
  const envFile = manager.files(spec).find((file) => file.role === 'env');
  if (!envFile) return {};
  const text = (await readServiceFiles([envFile])).get(envFile.path);
  return text === undefined ? {} : parseEnvFile(text);
}
