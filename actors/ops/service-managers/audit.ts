import type { ServiceDrift } from '../../../protocol/cli/service.js';
import { decodeText } from './files.js';
import type { ServiceFile, ServiceSpec } from './spec.js';
import type { InstalledCommand, ServiceManager } from './types.js';

/**
 * Pure comparison of an installed service with the one `gateway install` would write now:
 * what doctor reports and `install` mentions when it leaves an installed service alone.
 */

/** `--port <n>` of a command line. */
export function portOfArguments(args: readonly string[]): number | undefined {
  const index = args.indexOf('--port');
  const value = index >= 0 ? args[index + 1] : args.find((arg) => arg.startsWith('--port='))?.slice('--port='.length);
  const port = Number(value);
  return value !== undefined && Number.isInteger(port) ? port : undefined;
}

const withoutPort = (args: readonly string[]) => {
  const index = args.indexOf('--port');
  return index >= 0 ? [...args.slice(0, index), ...args.slice(index + 2)] : args.filter((arg) => !arg.startsWith('--port='));
};

const textOf = (file: ServiceFile) => (typeof file.content === 'string' ? file.content : decodeText(file.content));

function compareCommands(installed: InstalledCommand, expected: InstalledCommand): ServiceDrift[] {
  const drift: ServiceDrift[] = [];
  const installedPort = portOfArguments(installed.programArguments);
  const expectedPort = portOfArguments(expected.programArguments);
  if (installedPort !== expectedPort) {
    drift.push({
      code: 'port',
      message: `the installed service starts the gateway on port ${installedPort ?? '(none)'}, the current settings say ${expectedPort ?? '(none)'}`,
      installed: String(installedPort ?? ''),
      expected: String(expectedPort ?? ''),
    });
  }
  const a = withoutPort(installed.programArguments).join(' ');
  const b = withoutPort(expected.programArguments).join(' ');
  if (a !== b) drift.push({ code: 'command', message: 'the installed command line differs (node or CLI path moved?)', installed: a, expected: b });
  const keys = [...new Set([...Object.keys(installed.environment), ...Object.keys(expected.environment)])];
  for (const key of keys) {
    // The port variable follows the port: one finding is enough.
    if (key === 'OPENCLAW_GATEWAY_PORT' && installedPort !== expectedPort) continue;
    const was = installed.environment[key];
    const now = expected.environment[key];
    if (was === now) continue;
    drift.push({
      code: 'environment',
      message: was === undefined ? `${key} is missing from the installed service` : now === undefined ? `${key} is set in the installed service but no longer written` : `${key} is ${JSON.stringify(was)} in the installed service, ${JSON.stringify(now)} now`,
      ...(was !== undefined ? { installed: was } : {}),
      ...(now !== undefined ? { expected: now } : {}),
    });
  }
  return drift;
}

/**
 * Differences between the installed files (`installed`: path → text of those that exist) and
 * `manager.files(spec)`. Env files (secrets) are not compared. Empty when nothing is installed.
 */
export function auditService(manager: ServiceManager, spec: ServiceSpec, installed: ReadonlyMap<string, string>): ServiceDrift[] {
  const expectedFiles = manager.files(spec).filter((file) => file.role !== 'env');
  const definition = expectedFiles[0];
  if (!definition || !installed.has(definition.path)) return [];
  const expectedTexts = new Map(expectedFiles.map((file) => [file.path, textOf(file)]));
  const drift: ServiceDrift[] = [];
  const installedCommand = manager.parseDefinition(installed, spec);
  const expectedCommand = manager.parseDefinition(expectedTexts, spec);
  if (installedCommand && expectedCommand) drift.push(...compareCommands(installedCommand, expectedCommand));
  for (const file of expectedFiles) {
    const text = installed.get(file.path);
    if (text === undefined) drift.push({ code: 'definition', message: `${file.path} is missing` });
  }
  const textsDiffer = expectedFiles.some((file) => installed.has(file.path) && installed.get(file.path) !== expectedTexts.get(file.path));
  if (drift.length === 0 && textsDiffer) {
    drift.push({ code: 'definition', message: 'the installed service definition differs from the current defaults' });
  }
  return drift;
}

/** What `gateway install` does, given what is installed and `--force`. */
export type InstallPlan = 'fresh' | 'replace' | 'keep';

/** Installs when nothing is there; replaces only with --force (the runbook: a no-op otherwise). */
export function planInstall(installed: boolean, force: boolean): InstallPlan {
  if (!installed) return 'fresh';
  return force ? 'replace' : 'keep';
}
