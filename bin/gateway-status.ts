import { defineCommand } from 'citty';
import { localSecret } from '../actors/secrets/local.js';
import { gatherGatewayStatus } from '../actors/ops/status.js';
import type { GatewayFileConfig } from '../protocol/config.js';
import type { GatewayStatusReport } from '../protocol/cli/gateway-status.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { envValue, resolveLogFile } from './config.js';
import { readServiceSecrets } from '../actors/ops/service-managers/lifecycle.js';
import { cliEntryPath, resolveServiceContext, type ServiceContext } from './service-context.js';
import { CliFailure, fail } from './target.js';

/** `openclaw gateway status`: supervisor state and RPC reachability, reported separately. */

/** Bind mode → the address it listens on and the one a local probe should use. */
export function resolveBind(config: GatewayFileConfig): { mode: string; host: string; probeHost: string } {
  const mode = config.gateway?.bind ?? 'loopback';
  const custom = config.gateway?.customBindHost;
  if (mode === 'lan') return { mode, host: '0.0.0.0', probeHost: '127.0.0.1' };
  if (mode === 'custom' && custom) return { mode, host: custom, probeHost: custom };
  return { mode, host: '127.0.0.1', probeHost: '127.0.0.1' };
}

/** Parses --timeout (ms). */
export function parseTimeout(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0) throw new CliFailure('invalid_arguments', `invalid --timeout ${value}`);
  return ms;
}

/** Parses --port as a local probe port. */
export function parseProbePort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new CliFailure('invalid_arguments', `invalid --port ${value}`);
  return port;
}

const yesNo = (value: boolean | null, yes: string, no: string) => (value === null ? 'unknown' : value ? yes : no);

/** The human report. */
export function renderStatusText(report: GatewayStatusReport): string {
  const { service, gateway, rpc, port } = report;
  const lines: string[] = [];
  const state = service.installed ? yesNo(service.enabled ?? service.loaded, service.loadedText, service.notLoadedText) : 'not installed';
  lines.push(`Service: ${service.manager} ${service.label} (${state}${service.scope === 'system' ? ', system' : ''})`);
  lines.push(`  Definition: ${service.definitionPath}${service.installed ? '' : ' (missing)'}`);
  if (service.command) lines.push(`  Command: ${service.command.programArguments.join(' ')}`);
  if (report.logFile) lines.push(`File logs: ${report.logFile}`);
  lines.push('');
  const cfg = report.config.cli;
  lines.push(`Config (cli): ${cfg.path}${cfg.exists ? '' : ' (missing)'}${cfg.valid ? '' : ` (invalid: ${cfg.error ?? '?'})`}`);
  if (report.config.mismatch) lines.push(`Config (service): ${report.config.daemon.path}`);
  lines.push('');
  lines.push(`Gateway: bind=${gateway.bindMode} (${gateway.bindHost}), port=${gateway.port} (${gateway.portSource})`);
  lines.push(`Probe target: ${gateway.probeUrl}`);
  if (gateway.probeNote) lines.push(`  ${gateway.probeNote}`);
  lines.push(`Dashboard: ${gateway.controlUiLinks.httpUrl}`);
  lines.push('');
  lines.push(`CLI version: ${report.cli.version} (${report.cli.entrypoint})`);
  if (gateway.version) lines.push(`Gateway version: ${gateway.version}`);
  const runtime = service.runtime;
  const runtimeBits = [runtime.pid ? `pid ${runtime.pid}` : '', runtime.state ? `state ${runtime.state}${runtime.subState ? `/${runtime.subState}` : ''}` : '', runtime.lastExitStatus !== undefined ? `last exit ${runtime.lastExitStatus}` : ''].filter(Boolean);
  lines.push(`Runtime: ${runtime.status}${runtimeBits.length ? ` (${runtimeBits.join(', ')})` : ''}${runtime.detail ? ` - ${runtime.detail}` : ''}`);
  if (rpc) {
    lines.push(`Connectivity probe: ${rpc.ok ? `ok${rpc.connectLatencyMs !== null ? ` (${rpc.connectLatencyMs}ms)` : ''}` : `failed${rpc.error ? ` - ${rpc.error}` : ''}`}`);
    lines.push(`Capability: ${rpc.capability.replaceAll('_', '-')}${rpc.kind === 'read' ? ' (status read)' : ''}`);
  } else {
    lines.push('Connectivity probe: skipped (--no-probe)');
  }
  const listeners = port.listeners.map((l) => `${l.command ?? '?'}${l.pid ? ` (pid ${l.pid})` : ''}${l.address ? ` ${l.address}` : ''}`);
  lines.push(`Port ${port.port}: ${port.status}${listeners.length ? ` - ${listeners.join(', ')}` : ''}`);
  if (report.lastError) lines.push(`Last gateway error: ${report.lastError}`);
  for (const extra of report.extraServices) {
    lines.push(`Other service: ${extra.path}${extra.legacy ? ' (legacy)' : extra.openclawProfileService ? ' (another profile)' : ''}${extra.stale ? ` - stale: ${extra.staleReason ?? ''}` : ''}`);
    for (const command of extra.cleanup ?? []) lines.push(`  cleanup: ${command}`);
  }
  if (report.warnings.length) {
    lines.push('');
    for (const warning of report.warnings) lines.push(`Warning: ${warning}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Credentials for the local gateway, in the order the service itself resolves them: flags, the
 * environment, the installed service's env file (what `gateway install --token` wrote), the config.
 */
export async function localCredentials(
  flags: { token?: string; password?: string },
  env: NodeJS.ProcessEnv,
  context: ServiceContext,
): Promise<{ token?: string; password?: string }> {
  const secrets = await readServiceSecrets(context.manager, context.spec);
  const auth = context.config.gateway?.auth;
  const token = flags.token ?? envValue(env, 'OPENCLAW_GATEWAY_TOKEN') ?? secrets.OPENCLAW_GATEWAY_TOKEN ?? localSecret(context.config, auth?.token, 'gateway.auth.token', env);
  const password = flags.password ?? envValue(env, 'OPENCLAW_GATEWAY_PASSWORD') ?? secrets.OPENCLAW_GATEWAY_PASSWORD ?? localSecret(context.config, auth?.password, 'gateway.auth.password', env);
  return { ...(token ? { token } : {}), ...(password ? { password } : {}) };
}

/** `gateway status`. */
export const statusCommand = defineCommand({
  meta: { name: 'status', description: 'Show the gateway service state and whether the gateway answers' },
  args: {
    json: { type: 'boolean', description: 'Machine-readable output (stable for scripts)' },
    deep: { type: 'boolean', description: 'Also scan for other gateway-like services (system units, other profiles, legacy names)' },
    probe: { type: 'boolean', default: true, description: 'Probe the gateway over RPC (--no-probe skips it)' },
    'require-rpc': { type: 'boolean', description: 'Also call `status` and fail (exit 1) unless it answers' },
    url: { type: 'string', description: 'Probe this URL (only --token/--password are used with it)' },
    port: { type: 'string', description: 'Probe this local port instead of the service port' },
    token: { type: 'string', description: 'Gateway token' },
    password: { type: 'string', description: 'Gateway password' },
    timeout: { type: 'string', description: 'Probe timeout in ms', default: '10000' },
    system: { type: 'boolean', description: 'Inspect the systemd system unit instead of the user unit' },
  },
  run: async ({ args }) => {
    try {
      const env = process.env;
      const context = resolveServiceContext({ system: args.system });
      const config = context.config;
      const explicitUrl = args.url?.trim() || undefined;
      const portOverride = parseProbePort(args.port);
      if (explicitUrl && portOverride !== undefined) throw new CliFailure('invalid_arguments', '--url and --port are exclusive');
      const auth = explicitUrl ? { token: args.token, password: args.password } : await localCredentials(args, env, context);
      const logFile = resolveLogFile(context.paths, config);
      const report = await gatherGatewayStatus({
        cli: { version: SERVER_VERSION, entrypoint: cliEntryPath() },
        profile: context.profile ?? null,
        stateDir: context.paths.stateDir,
        logFile,
        manager: context.manager,
        spec: context.spec,
        runner: context.runner,
        config: {
          cli: { path: context.paths.configPath, exists: context.configExists, valid: !context.configError, ...(context.configError ? { error: context.configError } : {}) },
        },
        bind: resolveBind(config),
        ...(portOverride !== undefined ? { portOverride } : {}),
        ...(explicitUrl ? { urlOverride: explicitUrl } : {}),
        auth: { ...(auth.token ? { token: auth.token } : {}), ...(auth.password ? { password: auth.password } : {}) },
        probe: args.probe !== false,
        requireRpc: args['require-rpc'] === true,
        deep: args.deep === true,
        timeoutMs: parseTimeout(args.timeout, 10_000),
        platform: process.platform,
        logFiles: [logFile],
      });
      process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatusText(report));
      if (args['require-rpc'] && report.rpc?.ok !== true) process.exit(1);
    } catch (error) {
      fail(error, args.json, 'Gateway status failed');
    }
  },
});
