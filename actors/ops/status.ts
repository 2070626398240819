import { open, type FileHandle } from 'node:fs/promises';
import type { ConfigFileSummary, GatewayStatusReport, RpcProbe } from '../../protocol/cli/gateway-status.js';
import type { ServiceSummary } from '../../protocol/cli/service.js';
import { MIN_PROBE_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../protocol/version.js';
import { capabilityOf, lastGatewayErrorLine, probeAuth, probeServer } from './diagnostics.js';
import { probeGateway, type ProbeOutcome } from '../client/probe.js';
import { inspectPort } from './port-listeners.js';
import type { RecordingRunner } from './service-managers/exec.js';
import { findExtraServices } from './service-managers/extra-services.js';
import { exists } from './service-managers/files.js';
import { portOfArguments } from './service-managers/audit.js';
import { inspectService } from './service-managers/lifecycle.js';
import type { ServiceSpec } from './service-managers/spec.js';
import type { ServiceManager } from './service-managers/types.js';

/**
 * Gathers `gateway status`: the supervisor's view (installed, loaded, running) and the RPC view
 * (connect as `cli`/`probe`, protocol 3–4; `--require-rpc` adds `status` over a
 * `gateway-client`/`backend` connection, like the official CLI) side by side, plus who holds
 * the port and, when the service runs but the gateway does not answer, its last error line.
 */

/** Inputs resolved by bin/ from flags, env and config. */
export interface StatusInputs {
  readonly cli: { readonly version: string; readonly entrypoint: string };
  readonly profile: string | null;
  readonly stateDir: string;
  readonly logFile: string | null;
  readonly manager: ServiceManager;
  readonly spec: ServiceSpec;
  readonly runner: RecordingRunner;
  readonly config: { readonly cli: ConfigFileSummary };
  readonly bind: { readonly mode: string; readonly host: string; readonly probeHost: string };
  /** `--port`: probe this local port instead of the service's. */
  readonly portOverride?: number;
  /** `--url`: probe this URL, with only the explicit credentials. */
  readonly urlOverride?: string;
  /** Credentials: explicit ones only with --url; else flags, env, the service env file, the config. */
  readonly auth: { readonly token?: string; readonly password?: string };
  readonly probe: boolean;
  readonly requireRpc: boolean;
  readonly deep: boolean;
  readonly timeoutMs: number;
  readonly platform: string;
  /** Gateway file logs to scan for the last error (besides the supervisor's own output). */
  readonly logFiles: readonly string[];
}

const TAIL_BYTES = 256 * 1024;

/** The last lines of a log file (at most its last 256 KiB); none when it cannot be read. */
async function tailLines(path: string): Promise<string[]> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split(/\r?\n/);
    if (size > length) lines.shift(); // a partial first line
    return lines.slice(-200);
  } finally {
    await handle.close();
  }
}

function rpcFrom(kind: 'connect' | 'read', url: string, outcome: ProbeOutcome, ok: boolean, callError?: string): RpcProbe {
  const server = probeServer(outcome);
  const error = callError ?? outcome.error ?? undefined;
  return {
    ok,
    kind,
    capability: capabilityOf(outcome),
    auth: probeAuth(outcome),
    server,
    version: server.version,
    url,
    connectLatencyMs: outcome.connectLatencyMs,
    ...(error && !ok ? { error } : {}),
    ...(outcome.close && !ok ? { close: outcome.close } : {}),
  };
}

async function probeRpc(inputs: StatusInputs, url: string, auth: { token?: string; password?: string }): Promise<RpcProbe> {
  const base = { url, ...auth, timeoutMs: inputs.timeoutMs, scopes: ['operator.read'], platform: inputs.platform };
  const connect = await probeGateway({
    ...base,
    client: { id: 'cli', mode: 'probe', version: inputs.cli.version },
    minProtocol: MIN_PROBE_PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    calls: [],
  });
  if (!inputs.requireRpc || !connect.connected) return rpcFrom('connect', url, connect, connect.connected);
  const read = await probeGateway({
    ...base,
    client: { id: 'gateway-client', mode: 'backend', version: inputs.cli.version, displayName: 'gateway:status' },
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    calls: [{ method: 'status' }],
  });
  const status = read.calls.find((call) => call.method === 'status');
  const ok = status?.ok === true;
  const callError = status && !status.ok ? status.error.message : read.error ?? undefined;
  return rpcFrom('read', url, read.connected ? read : connect, ok, ok ? undefined : callError ?? 'status did not answer');
}

function warningsFor(service: ServiceSummary, report: Omit<GatewayStatusReport, 'warnings'>): string[] {
  const warnings: string[] = [];
  if (!report.config.cli.valid) warnings.push(`Config ${report.config.cli.path} is invalid: ${report.config.cli.error ?? 'see openclaw doctor'}`);
  if (!service.installed) warnings.push(`No gateway service installed for this profile (${service.definitionPath}); run \`openclaw gateway install\`.`);
  if (service.installed && service.runtime.status === 'running' && report.rpc && !report.rpc.ok) {
    warnings.push(`The service is running but the gateway does not answer at ${report.rpc.url}${report.lastError ? ` (last error: ${report.lastError})` : ''}.`);
  }
  if (service.installed && service.runtime.status === 'stopped' && report.rpc?.ok) {
    warnings.push(`A gateway answers at ${report.rpc.url} although the service is stopped: it was started by hand or by another profile.`);
  }
  for (const issue of service.configAudit.issues) warnings.push(`Service drift: ${issue.message}; run \`openclaw doctor --fix\` or \`openclaw gateway install --force\`.`);
  warnings.push(...report.port.hints);
  const foreign = report.extraServices.filter((extra) => !extra.openclawProfileService);
  if (foreign.length > 0) warnings.push(`Other gateway-like services detected: ${foreign.map((extra) => extra.path).join(', ')}`);
  for (const extra of report.extraServices) {
    if (extra.stale) warnings.push(`Stale service ${extra.path} (${extra.staleReason ?? 'stale'}); clean up with: ${extra.cleanup?.[0] ?? 'remove it'}`);
  }
  return warnings;
}

/** Builds the whole report; never throws for an unreachable gateway or a missing supervisor. */
export async function gatherGatewayStatus(inputs: StatusInputs): Promise<GatewayStatusReport> {
  const { manager, spec, runner } = inputs;
  const service = await inspectService(manager, spec, runner);
  const servicePort = service.command ? portOfArguments(service.command.programArguments) : undefined;
  const port = inputs.portOverride ?? servicePort ?? spec.port;
  const portSource = inputs.portOverride !== undefined ? 'cli' : servicePort !== undefined ? 'service args' : 'env/config';
  const probeUrl = inputs.urlOverride ?? `ws://${inputs.bind.probeHost}:${port}`;
  const daemonConfigPath = service.command?.environment.OPENCLAW_CONFIG_PATH;
  const daemon: ConfigFileSummary = daemonConfigPath && daemonConfigPath !== inputs.config.cli.path
    ? { path: daemonConfigPath, exists: await exists(daemonConfigPath), valid: true }
    : inputs.config.cli;
  const auth = inputs.auth;
  const [portStatus, rpc, extraServices] = await Promise.all([
    inspectPort(runner.run, port),
    inputs.probe ? probeRpc(inputs, probeUrl, auth) : Promise.resolve(undefined),
    inputs.deep ? findExtraServices(spec.platform, spec.home, service, runner.run, spec.uid) : Promise.resolve([]),
  ]);
  let lastError: string | undefined;
  if (!inputs.urlOverride && service.installed && service.runtime.status === 'running' && (portStatus.status !== 'busy' || rpc?.ok === false)) {
    const lines = [...(await manager.recentLogLines(runner.run, spec))];
    for (const file of inputs.logFiles) lines.push(...(await tailLines(file)));
    lastError = lastGatewayErrorLine(lines, portStatus.status === 'busy') ?? undefined;
  }
  const httpHost = inputs.bind.probeHost.includes(':') ? `[${inputs.bind.probeHost}]` : inputs.bind.probeHost;
  const partial: Omit<GatewayStatusReport, 'warnings'> = {
    cli: inputs.cli,
    profile: inputs.profile,
    stateDir: inputs.stateDir,
    logFile: inputs.logFile,
    service,
    config: { cli: inputs.config.cli, daemon, ...(daemon.path !== inputs.config.cli.path ? { mismatch: true } : {}) },
    gateway: {
      bindMode: inputs.bind.mode,
      bindHost: inputs.bind.host,
      port,
      portSource,
      probeUrl,
      ...(inputs.bind.mode === 'lan' && !inputs.urlOverride ? { probeNote: `bind=lan listens on 0.0.0.0 (all interfaces); probing via ${inputs.bind.probeHost}.` } : {}),
      ...(inputs.bind.mode === 'loopback' && !inputs.urlOverride ? { probeNote: 'Loopback-only gateway; only local clients can connect.' } : {}),
      controlUiLinks: { httpUrl: `http://${httpHost}:${port}/`, wsUrl: `ws://${httpHost}:${port}` },
      ...(rpc ? { version: rpc.server.version } : {}),
    },
    port: portStatus,
    ...(lastError ? { lastError } : {}),
    ...(rpc ? { rpc } : {}),
    extraServices,
  };
  return { ...partial, warnings: warningsFor(service, partial) };
}
