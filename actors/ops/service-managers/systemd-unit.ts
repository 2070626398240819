import { posix } from 'node:path';
import type { ServiceFile, ServiceSpec } from './spec.js';

/**
 * Pure renderer of the systemd unit and its owner-only env file (runbook "Supervision (systemd
 * user unit)", PROTOCOL.md §11.5). Key order is fixed so doctor can compare texts byte for byte.
 */

/** Where a systemd service's files live. */
export interface SystemdLayout {
  readonly unitPath: string;
  readonly envFilePath: string;
}

/** User units under ~/.config/systemd/user, system units under /etc/systemd/system. */
export function systemdLayout(spec: ServiceSpec): SystemdLayout {
  const dir = spec.scope === 'system' ? '/etc/systemd/system' : posix.join(spec.home, '.config', 'systemd', 'user');
  return { unitPath: posix.join(dir, spec.label), envFilePath: posix.join(spec.stateDir, 'gateway.systemd.env') };
}

function assertOneLine(value: string, what: string): void {
  if (/[\r\n]/.test(value)) throw new RangeError(`${what} cannot contain CR or LF: ${JSON.stringify(value)}`);
}

/** Quotes one ExecStart word or Environment= assignment the way systemd splits them; `%` is doubled. */
export function systemdQuote(value: string): string {
  assertOneLine(value, 'systemd value');
  const escaped = value.replaceAll('%', '%%');
  if (!/[\s"\\']/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The unit text `gateway install` writes. */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const { envFilePath } = systemdLayout(spec);
  assertOneLine(spec.description, 'Description');
  const lines = [
    '[Unit]',
    `Description=${spec.description}`,
    'After=network-online.target',
    'Wants=network-online.target',
    'StartLimitBurst=10',
    'StartLimitIntervalSec=300',
    '',
    '[Service]',
    `ExecStart=${spec.programArguments.map(systemdQuote).join(' ')}`,
    'Restart=always',
    'RestartSec=5',
    // 78 = invalid configuration: restarting cannot help, so the unit fails visibly instead.
    'RestartPreventExitStatus=78',
    'TimeoutStopSec=30',
    'TimeoutStartSec=30',
    // 143 = 128 + SIGTERM: a supervisor stop is a normal shutdown, not a crash.
    'SuccessExitStatus=0 143',
    'KillMode=control-group',
    ...(spec.scope === 'system' ? [`User=${systemdQuote(spec.user)}`] : []),
    `WorkingDirectory=${systemdQuote(spec.workingDirectory)}`,
    `EnvironmentFile=-${systemdQuote(envFilePath)}`,
    ...Object.entries(spec.environment).map(([key, value]) => `Environment=${systemdQuote(`${key}=${value}`)}`),
    '',
    '[Install]',
    `WantedBy=${spec.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ];
  return lines.join('\n');
}

function envFileValue(value: string): string {
  assertOneLine(value, 'env file value');
  if (!/[\s\\'"`$#]/.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('`', '\\`').replaceAll('$', '\\$')}"`;
}

/** The owner-only env file (EnvironmentFile=): secrets only, never inline in the unit. */
export function renderSystemdEnvFile(secrets: Readonly<Record<string, string>>): string {
  const lines = ['# Written by `openclaw gateway install`: secrets of the gateway service (mode 0600).'];
  for (const [key, value] of Object.entries(secrets)) lines.push(`${key}=${envFileValue(value)}`);
  return `${lines.join('\n')}\n`;
}

/** Every file of a systemd service, definition first. */
export function systemdFiles(spec: ServiceSpec): ServiceFile[] {
  const layout = systemdLayout(spec);
  return [
    { path: layout.unitPath, content: renderSystemdUnit(spec), mode: 0o644, role: 'definition' },
    { path: layout.envFilePath, content: renderSystemdEnvFile(spec.secrets), mode: 0o600, role: 'env' },
  ];
}

/** The parts of an installed unit status and doctor look at. */
export interface ParsedSystemdUnit {
  readonly programArguments: string[];
  readonly workingDirectory?: string;
  readonly environment: Record<string, string>;
  readonly environmentFiles: string[];
}

/** Splits a systemd command line / Environment= value into words (double quotes, backslash escapes). */
export function splitSystemdWords(value: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i] as string;
    if (quoted) {
      if (char === '\\' && i + 1 < value.length) current += value[++i];
      else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') {
      quoted = true;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words.map((word) => word.replaceAll('%%', '%'));
}

/** Reads ExecStart, WorkingDirectory, Environment= and EnvironmentFile= of a unit text. */
export function parseSystemdUnit(text: string): ParsedSystemdUnit {
  const environment: Record<string, string> = {};
  const environmentFiles: string[] = [];
  let programArguments: string[] = [];
  let workingDirectory: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (eq <= 0 || line.startsWith('#') || line.startsWith(';')) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'ExecStart') programArguments = splitSystemdWords(value);
    else if (key === 'WorkingDirectory') workingDirectory = splitSystemdWords(value)[0];
    else if (key === 'EnvironmentFile') environmentFiles.push(splitSystemdWords(value.replace(/^-/, ''))[0] ?? '');
    else if (key === 'Environment') {
      for (const assignment of splitSystemdWords(value)) {
        const sep = assignment.indexOf('=');
        if (sep > 0) environment[assignment.slice(0, sep)] = assignment.slice(sep + 1);
      }
    }
  }
  return { programArguments, ...(workingDirectory ? { workingDirectory } : {}), environment, environmentFiles };
}

/** Keys of an env file (`KEY=value` lines), values ignored. */
export function envFileKeys(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^export\s+/, '').replace(/^set\s+"?/i, ''))
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('@') && !line.toLowerCase().startsWith('rem'))
    .map((line) => line.slice(0, Math.max(0, line.indexOf('='))))
    .filter((key) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(key));
}
