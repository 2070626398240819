import { posix, win32 } from 'node:path';
import type { ServiceFile, ServiceSpec } from './spec.js';

/**
 * Pure renderer of the Windows Scheduled Task: the task XML (UTF-16LE with BOM, as `schtasks
 * /Create /XML` wants it), a `gateway.cmd` launcher that sets the environment and runs the
 * gateway with its output appended to `<state>\logs\gateway.log`, and an owner-only
 * `gateway.env.cmd` with the secrets.
 */

/** Where a Scheduled Task's files live (all in the state dir). */
export interface SchtasksLayout {
  readonly xmlPath: string;
  readonly scriptPath: string;
  readonly envFilePath: string;
  readonly logPath: string;
}

/** Joins with the separator style of `base` (so tests can render Windows files under a POSIX temp dir). */
const joinLike = (base: string, ...parts: string[]) => (base.includes('\\') ? win32.join(base, ...parts) : posix.join(base, ...parts));

/** `<state>/gateway-task.xml`, `<state>/gateway.cmd`, `<state>/gateway.env.cmd`, `<state>/logs/gateway.log`. */
export function schtasksLayout(spec: ServiceSpec): SchtasksLayout {
  return {
    xmlPath: joinLike(spec.stateDir, 'gateway-task.xml'),
    scriptPath: joinLike(spec.stateDir, 'gateway.cmd'),
    envFilePath: joinLike(spec.stateDir, 'gateway.env.cmd'),
    logPath: joinLike(spec.stateDir, 'logs', 'gateway.log'),
  };
}

const xml = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The task XML text (before UTF-16 encoding). */
export function renderScheduledTaskXml(spec: ServiceSpec): string {
  const { scriptPath } = schtasksLayout(spec);
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>${xml(spec.description)}</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>${xml(spec.user)}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>${xml(spec.user)}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>false</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xml(scriptPath)}</Command>
    </Exec>
  </Actions>
</Task>
`;
}

/** UTF-16LE with a byte-order mark. */
export const utf16le = (text: string): Uint8Array => {
  const body = Buffer.from(text.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n'), 'utf16le');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
};

/** `set "KEY=value"` with `%` escaped for cmd.exe. */
const cmdSet = (key: string, value: string) => `set "${key}=${value.replaceAll('%', '%%')}"`;
const cmdQuote = (value: string) => `"${value.replaceAll('"', '""')}"`;

/** The launcher the task runs: environment, secrets, working dir, the gateway. */
export function renderTaskScript(spec: ServiceSpec): string {
  const layout = schtasksLayout(spec);
  const lines = [
    '@echo off',
    `rem ${spec.description} - written by openclaw gateway install`,
    ...Object.entries(spec.environment).map(([key, value]) => cmdSet(key, value)),
    `if exist ${cmdQuote(layout.envFilePath)} call ${cmdQuote(layout.envFilePath)}`,
    `cd /d ${cmdQuote(spec.workingDirectory)}`,
    `${spec.programArguments.map(cmdQuote).join(' ')} >> ${cmdQuote(layout.logPath)} 2>&1`,
    '',
  ];
  return lines.join('\r\n');
}

/** The owner-only secrets file `gateway.cmd` calls. */
export function renderTaskEnvFile(secrets: Readonly<Record<string, string>>): string {
  const lines = ['@echo off', 'rem Written by openclaw gateway install: secrets of the gateway service.'];
  for (const [key, value] of Object.entries(secrets)) lines.push(cmdSet(key, value));
  return `${lines.join('\r\n')}\r\n`;
}

/** Every file of a Scheduled Task, definition first. */
export function schtasksFiles(spec: ServiceSpec): ServiceFile[] {
  const layout = schtasksLayout(spec);
  return [
    { path: layout.xmlPath, content: utf16le(renderScheduledTaskXml(spec)), mode: 0o644, role: 'definition' },
    { path: layout.scriptPath, content: renderTaskScript(spec), mode: 0o700, role: 'script' },
    { path: layout.envFilePath, content: renderTaskEnvFile(spec.secrets), mode: 0o600, role: 'env' },
  ];
}

/** The command line and environment of a `gateway.cmd` we wrote. */
export function parseTaskScript(text: string): { programArguments: string[]; environment: Record<string, string> } {
  const environment: Record<string, string> = {};
  let programArguments: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const set = /^set "([^=]+)=(.*)"$/.exec(line.trim());
    if (set?.[1]) environment[set[1]] = (set[2] ?? '').replaceAll('%%', '%');
    else if (line.startsWith('"') && line.includes(' >> ')) {
      programArguments = [...line.slice(0, line.lastIndexOf(' >> ')).matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] ?? '').replaceAll('""', '"'));
    }
  }
  return { programArguments, environment };
}
