import type { ServiceRuntime } from '../../../protocol/cli/service.js';
import { runRequired } from './exec.js';
import type { ServiceSpec } from './spec.js';
import { parseSystemdUnit, systemdFiles, systemdLayout } from './systemd-unit.js';
import type { ServiceInspection, ServiceManager } from './types.js';

/**
 * systemd: `systemctl --user` for user units, plain `systemctl` for `--system` units.
 *
 *   install (fresh)    daemon-reload → enable --now <unit>
 *   install --force    daemon-reload → enable <unit> → restart <unit>
 *   uninstall          disable --now <unit> → rm unit + env file → daemon-reload
 *   stop --disable     disable --now <unit>   (no start at boot/login until `start`)
 *   start              enable --now <unit>    (re-enables what `stop --disable` disabled)
 */

const systemctlArgs = (spec: ServiceSpec, args: readonly string[]) => (spec.scope === 'system' ? [...args] : ['--user', ...args]);

const SHOW_PROPERTIES = 'Id,LoadState,ActiveState,SubState,Result,MainPID,ExecMainStatus,ExecMainCode,NRestarts';

/** Parses `systemctl show` output (`Key=Value` lines). */
export function parseSystemctlShow(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return values;
}

const toInt = (value: string | undefined) => (value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined);

/** ExecMainCode: 1 = exited, 2 = killed, 3 = dumped (siginfo codes). */
const EXIT_REASONS: Record<string, string> = { '0': 'none', '1': 'exited', '2': 'killed', '3': 'dumped' };

function runtimeFromShow(values: Record<string, string>): ServiceRuntime {
  const active = values.ActiveState?.toLowerCase() ?? '';
  const status = active === 'active' || active === 'reloading' ? 'running' : active === 'inactive' || active === 'failed' ? 'stopped' : 'unknown';
  const pid = toInt(values.MainPID);
  const exitStatus = toInt(values.ExecMainStatus);
  const restarts = toInt(values.NRestarts);
  return {
    status,
    ...(values.ActiveState ? { state: values.ActiveState } : {}),
    ...(values.SubState ? { subState: values.SubState } : {}),
    ...(pid ? { pid } : {}),
    ...(exitStatus !== undefined && values.ExecMainCode && values.ExecMainCode !== '0' ? { lastExitStatus: exitStatus } : {}),
    ...(values.ExecMainCode && values.ExecMainCode !== '0' ? { lastExitReason: EXIT_REASONS[values.ExecMainCode] ?? values.ExecMainCode } : {}),
    ...(restarts !== undefined ? { restarts } : {}),
  };
}

/** The systemd manager. */
export const systemdManager: ServiceManager = {
  kind: 'systemd',
  loadedText: 'enabled',
  notLoadedText: 'disabled',
  files: systemdFiles,
  parseDefinition(files, spec) {
    const text = files.get(systemdLayout(spec).unitPath);
    if (text === undefined) return null;
    const unit = parseSystemdUnit(text);
    return { programArguments: unit.programArguments, ...(unit.workingDirectory ? { workingDirectory: unit.workingDirectory } : {}), environment: unit.environment };
  },
  async activate(run, spec, mode) {
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['daemon-reload']));
    if (mode === 'fresh') {
      await runRequired(run, 'systemctl', systemctlArgs(spec, ['enable', '--now', spec.label]));
      return;
    }
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['enable', spec.label]));
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['restart', spec.label]));
  },
  async deactivate(run, spec) {
    // A unit systemd never loaded cannot be disabled; removing its file is all that is left to do.
    await run('systemctl', systemctlArgs(spec, ['disable', '--now', spec.label]));
  },
  async afterRemove(run, spec) {
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['daemon-reload']));
  },
  async start(run, spec) {
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['enable', '--now', spec.label]));
  },
  async stop(run, spec) {
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['stop', spec.label]));
  },
  async restart(run, spec) {
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['restart', spec.label]));
  },
  async disable(run, spec) {
    await runRequired(run, 'systemctl', systemctlArgs(spec, ['disable', '--now', spec.label]));
  },
  async inspect(run, spec): Promise<ServiceInspection> {
    const show = await run('systemctl', systemctlArgs(spec, ['show', spec.label, '--no-page', '--property', SHOW_PROPERTIES]));
    if (show.code !== 0) {
      const detail = show.missing ? 'systemctl not found: no systemd on this machine' : (show.stderr || show.stdout).trim() || `systemctl show exited ${show.code}`;
      return { loaded: null, enabled: null, runtime: { status: 'unknown', detail } };
    }
    const values = parseSystemctlShow(show.stdout);
    const loaded = values.LoadState === 'loaded';
    const enabledResult = await run('systemctl', systemctlArgs(spec, ['is-enabled', spec.label]));
    const enabledText = enabledResult.stdout.trim();
    const enabled = enabledResult.missing ? null : enabledResult.code === 0 && enabledText !== 'disabled';
    const runtime = runtimeFromShow(values);
    return {
      loaded,
      enabled,
      runtime: loaded ? runtime : { status: 'stopped', detail: `systemd does not know ${spec.label} (LoadState=${values.LoadState ?? 'unknown'})` },
    };
  },
  async recentLogLines(run, spec) {
    const args = [...(spec.scope === 'system' ? [] : ['--user']), '-u', spec.label, '-n', '200', '--no-pager', '-o', 'cat'];
    const result = await run('journalctl', args, { timeoutMs: 5000 });
    return result.code === 0 ? result.stdout.split(/\r?\n/).filter((line) => line.trim()) : [];
  },
  async installHints(run, spec) {
    if (spec.scope === 'system') return [];
    const manual = `sudo loginctl enable-linger ${spec.user}`;
    const result = await run('loginctl', ['show-user', spec.user, '-p', 'Linger'], { timeoutMs: 5000 });
    const linger = /^Linger=(yes|no)$/m.exec(result.stdout)?.[1];
    if (linger === 'yes') return [];
    if (linger === 'no') {
      return [`Lingering is disabled for ${spec.user}: systemd stops user services at logout, and the gateway with them. Enable it: ${manual}`];
    }
    return [`Could not read the lingering status of ${spec.user} (loginctl). To keep the gateway running after logout: ${manual}`];
  },
};
