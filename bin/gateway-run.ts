import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ArgsDef } from 'citty';
import { agentRuns } from '../actors/agents/module.js';
import { httpApiModule } from '../actors/openai-api/module.js';
import { canvasHostModule } from '../actors/canvas/host.js';
import { configModule } from '../actors/config/module.js';
import type { GatewayConfig } from '../actors/gateway/system.js';
import { startGatewayHost, type GatewayHost } from '../actors/gateway/host.js';
import { DEFAULT_ROTATION } from '../actors/logs/file.js';
import { createGatewayLogger, type GatewayLogger, type LogSettings } from '../actors/logs/logger.js';
import { logsModule } from '../actors/logs/module.js';
import { controlUiModule } from '../actors/control-ui/module.js';
import { seededOrigins } from '../machines/browser-origin.js';
import type { GatewayModuleFactory } from '../actors/gateway/module.js';
import type { AuthPolicy } from '../machines/connection-rules.js';
import { HANDSHAKE_TIMEOUT_MS, TICK_INTERVAL_MS } from '../protocol/version.js';
import type { GatewayFileConfig } from '../protocol/config.js';
import { resolveAgentRuntime } from './agent-config.js';
import { ConfigError, EXIT_CONFIG, ensureConfig, envValue, resolveLogFile, resolvePaths, resolveWorkspace, type ProfilePaths } from './config.js';

export const DEFAULT_PORT = 18789;
const HEALTH_REFRESH_MS = 60_000;

/** Flags of `openclaw gateway [run]`. */
export const runArgs = {
  port: { type: 'string', description: 'Port (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)' },
  bind: { type: 'string', description: 'loopback (default) | lan | auto | custom' },
  token: { type: 'string', description: 'Shared token (default: OPENCLAW_GATEWAY_TOKEN, gateway.auth.token)' },
  password: { type: 'string', description: 'Shared password (switches auth to password)' },
  auth: { type: 'string', description: 'none | token | password' },
  verbose: { type: 'boolean', description: 'Log every frame to stdout' },
  force: { type: 'boolean', description: 'Stop whatever listens on the port first (needs lsof)' },
  'allow-unconfigured': { type: 'boolean', description: 'Start even when gateway.mode is not "local"' },
} as const satisfies ArgsDef;

interface RunFlags {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  auth?: string;
  verbose?: boolean;
  force?: boolean;
  'allow-unconfigured'?: boolean;
}

/** A start-up refusal: one clear line, then a non-zero exit. */
class StartError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'StartError';
  }
}

function parsePort(value: string | number | undefined, source: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartError(`invalid port from ${source}: ${value}`);
  return port;
}

/** Port precedence: --port > OPENCLAW_GATEWAY_PORT > gateway.port > 18789. */
export function resolvePort(flag: string | undefined, env: NodeJS.ProcessEnv, config: GatewayFileConfig): number {
  return (
    parsePort(flag, '--port') ??
    parsePort(env.OPENCLAW_GATEWAY_PORT, 'OPENCLAW_GATEWAY_PORT') ??
    parsePort(config.gateway?.port, 'gateway.port') ??
    DEFAULT_PORT
  );
}

function resolveHosts(bind: string, config: GatewayFileConfig): string[] {
  switch (bind) {
    case 'loopback':
    case 'auto':
      return ['127.0.0.1', '::1'];
    case 'lan':
      return ['0.0.0.0'];
    case 'custom': {
      const host = config.gateway?.customBindHost;
      if (!host) throw new StartError('--bind custom needs gateway.customBindHost in the config');
      return [host];
    }
    case 'tailnet':
      throw new StartError('--bind tailnet is not supported by this gateway; use --bind custom with gateway.customBindHost set to the tailnet address');
    default:
      throw new StartError(`invalid --bind ${bind}: expected loopback, lan, auto or custom`);
  }
}

function resolveAuth(flags: RunFlags, env: NodeJS.ProcessEnv, config: GatewayFileConfig): AuthPolicy {
  const section = config.gateway?.auth;
  const password = flags.password ?? env.OPENCLAW_GATEWAY_PASSWORD ?? section?.password;
  const token = flags.token ?? env.OPENCLAW_GATEWAY_TOKEN ?? section?.token;
  const mode = flags.auth ?? (flags.password ? 'password' : section?.mode) ?? (token ? 'token' : password ? 'password' : 'token');
  switch (mode) {
    case 'none':
      return { mode: 'none' };
    case 'token':
      if (!token) throw new StartError('no gateway token configured: pass --token, set OPENCLAW_GATEWAY_TOKEN or gateway.auth.token', EXIT_CONFIG);
      return { mode: 'token', secret: token };
    case 'password':
      if (!password) throw new StartError('no gateway password configured: pass --password, set OPENCLAW_GATEWAY_PASSWORD or gateway.auth.password', EXIT_CONFIG);
      return { mode: 'password', secret: password };
    default:
      throw new StartError(`unsupported auth mode ${mode}: expected none, token or password`, EXIT_CONFIG);
  }
}

const isLoopbackHost = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

/** Finds the listener on `port` with lsof, SIGTERMs it and says what it killed. */
function freePort(port: number, write: (line: string) => void): void {
  let output: string;
  try {
    output = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { encoding: 'utf8' });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { status?: number };
    if (err.code === 'ENOENT') throw new StartError('--force needs lsof, which is not installed');
    if (err.status === 1) {
      write(`--force: nothing listens on port ${port}\n`);
      return;
    }
    throw new StartError(`--force: lsof failed: ${err.message}`);
  }
  let pid: number | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('p')) pid = Number(line.slice(1));
    if (line.startsWith('c') && pid !== undefined && pid !== process.pid) {
      process.kill(pid, 'SIGTERM');
      write(`--force: sent SIGTERM to pid ${pid} (${line.slice(1)}) listening on port ${port}\n`);
      pid = undefined;
    }
  }
}

async function waitForPortFree(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t']);
    } catch {
      return; // lsof exits 1 when nothing listens any more
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `shutdown.restartExpectedMs` announced before an in-process restart. */
const RESTART_EXPECTED_MS = 1500;

/**
 * Everything a gateway start needs, from flags, env and one file config. Called again for every
 * hot reload and in-process restart, so the same precedence applies to a changed file.
 */
function resolveRuntime(flags: RunFlags, env: NodeJS.ProcessEnv, paths: ProfilePaths, config: GatewayFileConfig, logger: GatewayLogger): GatewayConfig {
  const port = resolvePort(flags.port, env, config);
  const hosts = resolveHosts(flags.bind ?? config.gateway?.bind ?? 'loopback', config);
  const auth = resolveAuth(flags, env, config);
  if (auth.mode === 'none' && !hosts.every(isLoopbackHost)) {
    throw new StartError(`refusing to bind ${hosts.join(', ')} without auth: set a token or password, or bind loopback`);
  }
  const workspace = resolveWorkspace(paths, config);
  const transportEnv = env.OPENCLAW_TRANSPORT;
  const transport = transportEnv === 'uws' || transportEnv === 'ws' ? transportEnv : 'auto';
  const canvasOff = envValue(env, 'OPENCLAW_SKIP_CANVAS_HOST') === '1' || config.canvasHost?.enabled === false;
  const canvasPort =
    parsePort(envValue(env, 'OPENCLAW_CANVAS_HOST_PORT'), 'OPENCLAW_CANVAS_HOST_PORT') ??
    parsePort(config.canvasHost?.port, 'canvasHost.port') ??
    (port === 0 ? 0 : port + 4 <= 65535 ? port + 4 : undefined);
  const modules: GatewayModuleFactory[] = [logsModule(() => logger.filePath() ?? resolveLogFile(paths, config)), configModule(paths.configPath)];
  // Agent runs (`agent`, `chat.*`); `runs.runs` is the RunService for modules that start runs (HTTP API).
  const agentRuntime = resolveAgentRuntime(config, env, workspace);
  const runs = agentRuns(agentRuntime.options);
  modules.push(runs.module);
  // The OpenAI-compatible `/v1/*` (off unless `gateway.http.endpoints.*.enabled`) and `/tools/invoke`.
  const endpoints = config.gateway?.http?.endpoints;
  const switches = { chatCompletions: endpoints?.chatCompletions?.enabled === true, responses: endpoints?.responses?.enabled === true };
  const toolPolicy = { allow: config.gateway?.tools?.allow, deny: config.gateway?.tools?.deny };
  modules.push(httpApiModule({ runs: () => runs.runs, endpoints: () => switches, toolPolicy: () => toolPolicy }));
  // The Control UI (`/` and its routes) plus the official UI's methods; absent when switched off.
  const controlUi = config.gateway?.controlUi;
  if (controlUi?.enabled !== false) {
    const providers = agentRuntime.options.providers;
    const models = [
      ...providers.map((p) => ({ provider: p.name, id: p.model, hasCredentials: p.kind === 'offline' || Boolean(p.apiKey) || Boolean(p.baseUrl) })),
      ...(providers.some((p) => p.name === 'offline') ? [] : [{ provider: 'offline', id: 'echo-1', name: 'Offline echo', hasCredentials: true }]),
    ];
    modules.push(controlUiModule({
      basePath: controlUi?.basePath ?? '',
      ...(controlUi?.root ? { root: controlUi.root } : {}),
      models: () => models,
      abort: (target) => runs.runs.abort(target),
      port: () => port,
    }));
  }
  if (!canvasOff) modules.push(canvasHostModule({ root: config.canvasHost?.root ?? join(workspace, 'canvas'), port: canvasPort, hosts, logger }));
  return {
    port,
    hosts,
    auth,
    journalPath: paths.journalPath,
    synchronous: config.gateway?.journal?.synchronous ?? 'normal',
    transport,
    tickIntervalMs: Number(env.OPENCLAW_TICK_INTERVAL_MS) || TICK_INTERVAL_MS,
    handshakeTimeoutMs: Number(env.OPENCLAW_HANDSHAKE_TIMEOUT_MS) || HANDSHAKE_TIMEOUT_MS,
    healthRefreshMs: HEALTH_REFRESH_MS,
    ...(Number(env.OPENCLAW_MAX_BUFFERED_BYTES) > 0 ? { maxBufferedBytes: Number(env.OPENCLAW_MAX_BUFFERED_BYTES) } : {}),
    agents: agentRuntime.agents,
    logger,
    modules,
    originPolicy: { allowedOrigins: controlUi?.allowedOrigins ?? seededOrigins(hosts, port) },
  };
}

/** The logger settings a config asks for: `logging.*`, and the secrets to mask. */
function loggingSettings(paths: ProfilePaths, config: GatewayFileConfig, auth: AuthPolicy | undefined): Partial<LogSettings> {
  const level = config.logging?.level ?? 'info';
  const fileLevel = level === 'silent' ? 'silent' : level === 'fatal' ? 'error' : level === 'trace' ? 'debug' : level;
  return {
    fileLevel,
    file: resolveLogFile(paths, config),
    rotation: { maxFileBytes: config.logging?.maxFileBytes ?? DEFAULT_ROTATION.maxFileBytes, maxFiles: config.logging?.maxFiles ?? DEFAULT_ROTATION.maxFiles },
    secrets: [config.gateway?.auth?.token, config.gateway?.auth?.password, auth && auth.mode !== 'none' ? auth.secret : undefined].filter(
      (secret): secret is string => typeof secret === 'string' && secret.length > 0,
    ),
  };
}

/** `openclaw gateway [run]`: resolves flags, env and config, starts the gateway, handles signals. */
export async function runGateway(flags: RunFlags): Promise<void> {
  const env = process.env;
  const out = (line: string) => process.stdout.write(line);
  try {
    process.title = 'openclaw-gateway';
    const paths = resolvePaths(env);
    const { config, hash, createdToken } = ensureConfig(paths);
    if (config.gateway?.mode !== 'local' && !flags['allow-unconfigured']) {
      throw new StartError(`gateway.mode is not "local" in ${paths.configPath}; set it or pass --allow-unconfigured`, EXIT_CONFIG);
    }
    const logger = createGatewayLogger({ consoleLevel: flags.verbose ? 'debug' : 'info' }, { write: out, hostname: hostname() });
    const resolve = (fileConfig: GatewayFileConfig) => resolveRuntime(flags, env, paths, fileConfig, logger);
    const first = resolve(config); // refusals (bad port, bind without auth…) before anything is touched
    logger.configure(loggingSettings(paths, config, first.auth));
    if (flags.force) {
      freePort(first.port, out);
      await waitForPortFree(first.port, 5000);
    }
    // Signals are handled from here on: one arriving while the gateway starts waits for the start.
    const signals = installSignalHandlers(out);
    const host = await startGatewayHost({
      configPath: paths.configPath,
      initial: { config, hash },
      resolve,
      onApplied: (fileConfig, resolved) => logger.configure(loggingSettings(paths, fileConfig, resolved.auth)),
      logger,
      restartExpectedMs: RESTART_EXPECTED_MS,
    });
    if (createdToken && (flags.token || env.OPENCLAW_GATEWAY_TOKEN || flags.password)) {
      out(`Generated a gateway token and saved it in ${paths.configPath}; this run uses the secret given by flag or environment instead.\n`);
    } else if (createdToken) {
      out(
        `Generated a gateway token and saved it in ${paths.configPath} (shown once):\n  ${createdToken}\n` +
          `Clients pass it with --token ${createdToken} or OPENCLAW_GATEWAY_TOKEN=${createdToken}.\n`,
      );
    }
    signals.attach(host);
    void host.failed.then((error) => {
      process.stderr.write(`openclaw gateway: in-process restart failed: ${describeStartFailure(error)}\n`);
      process.exit(1);
    });
  } catch (error) {
    const code = error instanceof StartError || error instanceof ConfigError ? error.exitCode : 1;
    process.stderr.write(`openclaw gateway: ${describeStartFailure(error)}\n`);
    process.exit(code);
  }
}

function describeStartFailure(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { cause?: unknown };
  const cause = (err.cause ?? err) as NodeJS.ErrnoException;
  if (cause.code === 'EADDRINUSE') return `port already in use (${cause.message}); stop the other listener or pass --force`;
  // uWebSockets.js cannot tell "in use" from "not available": name both, with the same way out.
  if (/address in use or not available/.test(err.message ?? '')) return `${err.message}; stop the other listener or pass --force`;
  return err.message ?? String(error);
}

/** SIGTERM/SIGINT stop gracefully; SIGUSR1 (runbook) and SIGUSR2 (today's CLI) restart in process. */
function installSignalHandlers(out: (line: string) => void): { attach(host: GatewayHost): void } {
  let host: GatewayHost | undefined;
  let stopping = false;
  let pendingRestart: NodeJS.Signals | undefined;
  const stopHost = (running: GatewayHost) =>
    running.stop({ reason: 'gateway stopping' }).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`openclaw gateway: stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    out(`${signal}: stopping the gateway\n`);
    if (host) void stopHost(host); // else: stopped as soon as the start completes (see attach)
  };
  const restart = (signal: NodeJS.Signals) => {
    if (stopping) return;
    if (host) host.requestRestart(signal);
    else pendingRestart = signal;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGUSR1', restart);
  process.on('SIGUSR2', restart);
  return {
    attach(started) {
      host = started;
      if (stopping) void stopHost(started);
      else if (pendingRestart) host.requestRestart(pendingRestart);
    },
  };
}
