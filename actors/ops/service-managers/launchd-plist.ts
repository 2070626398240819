import { posix } from 'node:path';
import type { ServiceFile, ServiceSpec } from './spec.js';

/**
 * Pure renderer of the macOS LaunchAgent: the plist (keys in the order of PROTOCOL.md §11.5),
 * an owner-only env file with the secrets, and a /bin/sh wrapper that sources it and execs the
 * gateway, so no secret is ever written into the plist.
 */

/** Where a LaunchAgent's files live. */
export interface LaunchdLayout {
  readonly plistPath: string;
  readonly envFilePath: string;
  readonly wrapperPath: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/** `~/Library/LaunchAgents/<label>.plist`, env + wrapper under `<state>/service-env/`, logs under ~/Library/Logs/openclaw. */
export function launchdLayout(spec: ServiceSpec): LaunchdLayout {
  const envDir = posix.join(spec.stateDir, 'service-env');
  const logDir = posix.join(spec.home, 'Library', 'Logs', 'openclaw');
  const logPrefix = spec.profile ? `gateway-${spec.profile}` : 'gateway';
  return {
    plistPath: posix.join(spec.home, 'Library', 'LaunchAgents', `${spec.label}.plist`),
    envFilePath: posix.join(envDir, `${spec.label}.env`),
    wrapperPath: posix.join(envDir, `${spec.label}-env-wrapper.sh`),
    stdoutPath: posix.join(logDir, `${logPrefix}.log`),
    stderrPath: posix.join(logDir, `${logPrefix}.err.log`),
  };
}

const xml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');

const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

/** The plist text `gateway install` writes (mode 0644). */
export function renderLaunchAgentPlist(spec: ServiceSpec): string {
  const layout = launchdLayout(spec);
  const args = ['/bin/sh', layout.wrapperPath, layout.envFilePath, ...spec.programArguments];
  const env = Object.entries(spec.environment)
    .map(([key, value]) => `\n      <key>${xml(key)}</key>\n      <string>${xml(value)}</string>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>${xml(spec.label)}</string>
    <key>Comment</key>
    <string>${xml(spec.description)}</string>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <true/>
    <key>ExitTimeOut</key>
    <integer>20</integer>
    <key>ProcessType</key>
    <string>Interactive</string>
    <key>ThrottleInterval</key>
    <integer>10</integer>
    <key>Umask</key>
    <integer>63</integer>
    <key>StandardInPath</key>
    <string>/dev/null</string>
    <key>ProgramArguments</key>
    <array>${args.map((arg) => `\n      <string>${xml(arg)}</string>`).join('')}
    </array>
    <key>WorkingDirectory</key>
    <string>${xml(spec.workingDirectory)}</string>
    <key>StandardOutPath</key>
    <string>${xml(layout.stdoutPath)}</string>
    <key>StandardErrorPath</key>
    <string>${xml(layout.stderrPath)}</string>
    <key>EnvironmentVariables</key>
    <dict>${env}
    </dict>
  </dict>
</plist>
`;
}

/** The owner-only env file the wrapper sources (`export KEY='value'`). */
export function renderLaunchdEnvFile(secrets: Readonly<Record<string, string>>): string {
  const lines = ['# Written by `openclaw gateway install`: secrets of the gateway service (mode 0600).'];
  for (const [key, value] of Object.entries(secrets)) lines.push(`export ${key}=${shellQuote(value)}`);
  return `${lines.join('\n')}\n`;
}

/** `/bin/sh <wrapper> <env file> <command…>`: load the env file, then become the gateway. */
export const LAUNCHD_WRAPPER = `#!/bin/sh
# Written by \`openclaw gateway install\`: loads the owner-only env file, then runs the gateway.
set -a
[ -f "$1" ] && . "$1"
set +a
shift
exec "$@"
`;

/** Every file of a LaunchAgent, definition first. */
export function launchdFiles(spec: ServiceSpec): ServiceFile[] {
  const layout = launchdLayout(spec);
  return [
    { path: layout.plistPath, content: renderLaunchAgentPlist(spec), mode: 0o644, role: 'definition' },
    { path: layout.envFilePath, content: renderLaunchdEnvFile(spec.secrets), mode: 0o600, role: 'env' },
    { path: layout.wrapperPath, content: LAUNCHD_WRAPPER, mode: 0o700, role: 'wrapper' },
  ];
}

const decode = (value: string) =>
  value.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');

/** ProgramArguments (wrapper stripped), WorkingDirectory and EnvironmentVariables of a plist we wrote. */
export function parseLaunchAgentPlist(text: string): { programArguments: string[]; workingDirectory?: string; environment: Record<string, string> } {
  const arrayBody = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)?.[1] ?? '';
  let programArguments = [...arrayBody.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => decode(m[1] ?? ''));
  if (programArguments[0] === '/bin/sh' && programArguments[1]?.endsWith('-env-wrapper.sh')) programArguments = programArguments.slice(3);
  const workingDirectory = /<key>WorkingDirectory<\/key>\s*<string>([\s\S]*?)<\/string>/.exec(text)?.[1];
  const envBody = /<key>EnvironmentVariables<\/key>\s*<dict>([\s\S]*?)<\/dict>/.exec(text)?.[1] ?? '';
  const environment: Record<string, string> = {};
  for (const m of envBody.matchAll(/<key>([\s\S]*?)<\/key>\s*<string>([\s\S]*?)<\/string>/g)) environment[decode(m[1] ?? '')] = decode(m[2] ?? '');
  return { programArguments, ...(workingDirectory !== undefined ? { workingDirectory: decode(workingDirectory) } : {}), environment };
}
