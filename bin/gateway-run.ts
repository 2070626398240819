import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { agentRuns } from '../actors/agents/module.js';
import { httpApiModule } from '../actors/openai-api/module.js';
import { adminRpcModule } from '../actors/admin-rpc/module.js';
import { hooksModule } from '../actors/hooks/module.js';
import type { HookSettings } from '../actors/hooks/dispatch.js';
import { canvasHostModule } from '../actors/canvas/host.js';
import { channelsModule } from '../actors/channels/module.js';
import { configModule } from '../actors/config/module.js';
import type { GatewayConfig } from '../actors/gateway/system.js';
import { startGatewayHost, type GatewayHost } from '../actors/gateway/host.js';
import { DEFAULT_ROTATION } from '../actors/logs/file.js';
import { createGatewayLogger, subsystemLogger, type GatewayLogger, type LogSettings } from '../actors/logs/logger.js';
import { logsModule } from '../actors/logs/module.js';
import { controlUiModule } from '../actors/control-ui/module.js';
import { seededOrigins } from '../machines/browser-origin.js';
import { metricsModule } from '../actors/metrics/module.js';
import { inspectPort } from '../actors/ops/port-listeners.js';
import { createCommandRunner } from '../actors/ops/service-managers/exec.js';
import { formatHostPort, ListenError } from '../actors/transport/listen-error.js';
import type { GatewayModuleFactory } from '../actors/gateway/module.js';
import type { AuthPolicy } from '../machines/connection-rules.js';
import type { TrustedProxyPolicy } from '../machines/trusted-proxy-rules.js';
import { HANDSHAKE_TIMEOUT_MS, TICK_INTERVAL_MS } from '../protocol/version.js';
import type { GatewayFileConfig } from '../protocol/config.js';
import { resolveAgentRuntime, type SecretReader } from './agent-config.js';
import { SecretsRuntime, SecretUnavailableError } from '../actors/secrets/runtime.js';
import { createSecretsReloader, secretsModule } from '../actors/secrets/module.js';
import { parsePort, StartError, resolvePort } from './gateway-run-args.js';
import { ConfigError, EXIT_CONFIG, ensureConfig, envValue, firstConfig, readConfig, resolveLogFile, resolvePaths, resolveWorkspace, type FirstStart, type ProfilePaths } from './config.js';

const HEALTH_REFRESH_MS = 60_000;

export interface RunFlags {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  auth?: string;
  verbose?: boolean;
  force?: boolean;
  'allow-unconfigured'?: boolean;
  dev?: boolean;
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

function resolveAuth(flags: RunFlags, env: NodeJS.ProcessEnv, config: GatewayFileConfig, secret: SecretReader): AuthPolicy {
  const section = config.gateway?.auth;
  const password = flags.password ?? env.OPENCLAW_GATEWAY_PASSWORD ?? secret(section?.password, 'gateway.auth.password');
  const token = flags.token ?? env.OPENCLAW_GATEWAY_TOKEN ?? secret(section?.token, 'gateway.auth.token');
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
    case 'trusted-proxy':
      return trustedProxyAuth(config, token, password);
    default:
      throw new StartError(`unsupported auth mode ${mode}: expected none, token, password or trusted-proxy`, EXIT_CONFIG);
  }
}

/** `hooks.*` when enabled: a token is required, `hooks.path` gets a leading slash and loses trailing ones (`/` is refused). */
function hookSettings(config: GatewayFileConfig, secret: SecretReader, auth: AuthPolicy, logger: GatewayLogger): HookSettings | undefined {
  const section = config.hooks;
  if (section?.enabled !== true) return undefined;
  const token = secret(section.token, 'hooks.token');
  if (!token) throw new StartError('hooks.enabled is true, but hooks.token is not set: hooks need their own token', EXIT_CONFIG);
  const basePath = `/${(section.path ?? '/hooks').replace(/^\/+|\/+$/g, '')}`;
  if (basePath === '/') throw new StartError('hooks.path: "/" is not allowed; use a dedicated path such as /hooks', EXIT_CONFIG);
  if (auth.secret !== undefined && auth.secret === token) logger.warn('hooks.token is the gateway auth secret: give hooks their own token');
  return {
    token,
    basePath,
    ...(section.allowedAgentIds ? { allowedAgentIds: section.allowedAgentIds } : {}),
    ...(section.defaultSessionKey ? { defaultSessionKey: section.defaultSessionKey } : {}),
    allowRequestSessionKey: section.allowRequestSessionKey === true,
    allowedSessionKeyPrefixes: (section.allowedSessionKeyPrefixes ?? []).map((p) => p.trim()).filter((p) => p.length > 0),
    mappings: section.mappings ?? [],
  };
}

/** `gateway.auth.mode: "trusted-proxy"`: the proxy rules; a password (optional) for local clients that bypass the proxy. */
function trustedProxyAuth(config: GatewayFileConfig, token: string | undefined, password: string | undefined): AuthPolicy {
  const section = config.gateway?.auth?.trustedProxy;
  if (!section) throw new StartError('gateway auth mode is trusted-proxy, but gateway.auth.trustedProxy is missing (set gateway.auth.trustedProxy.userHeader)', EXIT_CONFIG);
  if (token) {
    throw new StartError('gateway auth mode is trusted-proxy, but a shared token is also configured; remove gateway.auth.token / OPENCLAW_GATEWAY_TOKEN / --token (trusted-proxy and token auth are mutually exclusive)', EXIT_CONFIG);
  }
  const trustedProxy: TrustedProxyPolicy = {
    proxies: config.gateway?.trustedProxies ?? [],
    userHeader: section.userHeader.toLowerCase(),
    requiredHeaders: (section.requiredHeaders ?? []).map((name) => name.toLowerCase()),
    allowUsers: section.allowUsers ?? [],
    allowLoopback: section.allowLoopback === true,
    allowRealIpFallback: config.gateway?.allowRealIpFallback === true,
  };
  return { mode: 'trusted-proxy', trustedProxy, ...(password ? { secret: password } : {}) };
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
function resolveRuntime(
  flags: RunFlags,
  env: NodeJS.ProcessEnv,
  paths: ProfilePaths,
  config: GatewayFileConfig,
  logger: GatewayLogger,
  secrets: SecretsWiring,
): GatewayConfig {
  const port = resolvePort(flags.port, env, config);
  const hosts = resolveHosts(flags.bind ?? config.gateway?.bind ?? 'loopback', config);
  const secret = readSecret(secrets.runtime);
  const auth = resolveAuth(flags, env, config, secret);
  if (auth.mode === 'none' && !hosts.every(isLoopbackHost)) {
    const where = hosts.map((host) => formatHostPort(host, port)).join(', ');
    throw new StartError(`refusing to bind gateway to ${where} without auth (set gateway.auth.token/password, pass --token/--password or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD; or bind loopback)`);
  }
  const workspace = resolveWorkspace(paths, config);
  const transportEnv = env.OPENCLAW_TRANSPORT;
  const transport = transportEnv === 'uws' || transportEnv === 'ws' ? transportEnv : 'auto';
  const canvasOff = envValue(env, 'OPENCLAW_SKIP_CANVAS_HOST') === '1' || config.canvasHost?.enabled === false;
  const canvasPort =
    parsePort(envValue(env, 'OPENCLAW_CANVAS_HOST_PORT'), 'OPENCLAW_CANVAS_HOST_PORT') ??
    parsePort(config.canvasHost?.port, 'canvasHost.port') ??
    (port === 0 ? 0 : port + 4 <= 65535 ? port + 4 : undefined);
  const modules: GatewayModuleFactory[] = [logsModule(() => logger.filePath() ?? resolveLogFile(paths, config)), configModule(paths.configPath), secrets.module];
  // Agent runs (`agent`, `chat.*`); `runs.runs` is the RunService for modules that start runs (HTTP API).
  const agentRuntime = resolveAgentRuntime(config, env, workspace, secret);
  const runs = agentRuns(agentRuntime.options);
  modules.push(runs.module);
  // The OpenAI-compatible `/v1/*` (off unless `gateway.http.endpoints.*.enabled`) and `/tools/invoke`.
  const endpoints = config.gateway?.http?.endpoints;
  const switches = { chatCompletions: endpoints?.chatCompletions?.enabled === true, responses: endpoints?.responses?.enabled === true };
  const toolPolicy = { allow: config.gateway?.tools?.allow, deny: config.gateway?.tools?.deny };
  modules.push(httpApiModule({ runs: () => runs.runs, endpoints: () => switches, toolPolicy: () => toolPolicy }));
  // The Control UI (`/` and its routes) plus the official UI's methods; absent when switched off.
  const controlUi = config.gateway?.controlUi;
  if (controlUi?.dangerouslyAllowHostHeaderOriginFallback === true) {
    logger.warn('gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback is on: a browser Origin equal to the request Host header is accepted from any host (prefer gateway.controlUi.allowedOrigins)');
  }
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
  // Channels (`send`, `channels.*`): the methods always answer; accounts and SDKs load only when `channels.*` is configured.
  modules.push(channelsModule({ config, runs: () => runs.runs, stateDir: paths.stateDir, configPath: paths.configPath, env, secret: (raw, path) => secrets.runtime.value(raw, path) }));
  modules.push(metricsModule()); // `GET /api/diagnostics/prometheus`; prom-client loads on the first scrape
  // Inbound hooks (`POST <hooks.path>/wake|agent|<mapping>`): absent, hence 404, unless `hooks.enabled`.
  const hooks = hookSettings(config, secret, auth, logger);
  if (hooks) modules.push(hooksModule({ settings: hooks, runs: () => runs.runs }));
  // The admin HTTP RPC (`POST /api/v1/admin/rpc`): absent, hence 404, unless its plugin entry is enabled.
  if (config.plugins?.entries?.['admin-http-rpc']?.enabled === true) modules.push(adminRpcModule());
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
    ...(config.gateway?.auth?.rateLimit ? { authRateLimit: config.gateway.auth.rateLimit } : {}),
    preauth: {
      ...(Number(env.OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP) > 0 ? { perAddress: Number(env.OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP) } : {}),
      ...(Number(env.OPENCLAW_MAX_PREAUTH_CONNECTIONS) > 0 ? { total: Number(env.OPENCLAW_MAX_PREAUTH_CONNECTIONS) } : {}),
    },
    agents: agentRuntime.agents,
    logger,
    modules,
    originPolicy: {
      allowedOrigins: controlUi?.allowedOrigins ?? seededOrigins(hosts, port),
      ...(controlUi?.dangerouslyAllowHostHeaderOriginFallback === true ? { allowHostHeaderOriginFallback: true } : {}),
    },
    nodes: {
      autoApproveLocal: config.gateway?.nodes?.pairing?.autoApproveLocal !== false,
      commands: { allow: config.gateway?.nodes?.commands?.allow ?? [], deny: config.gateway?.nodes?.commands?.deny ?? [] },
    },
  };
}

/** The secrets snapshot of the process and the `secrets.reload` module wired to it. */
interface SecretsWiring {
  readonly runtime: SecretsRuntime;
  readonly module: GatewayModuleFactory;
}

/** Reads config credentials from the snapshot; a ref it does not hold is a start/reload refusal naming the key. */
const readSecret = (runtime: SecretsRuntime): SecretReader => (raw, path) => {
  try {
    return runtime.value(raw, path);
  } catch (error) {
    if (error instanceof SecretUnavailableError) throw new StartError(error.message, EXIT_CONFIG);
    throw error;
  }
};

/** The logger settings a config asks for: `logging.*`, and the secrets to mask. */
function loggingSettings(paths: ProfilePaths, config: GatewayFileConfig, auth: AuthPolicy | undefined, resolved: readonly string[] = []): Partial<LogSettings> {
  const level = config.logging?.level ?? 'info';
  const fileLevel = level === 'silent' ? 'silent' : level === 'fatal' ? 'error' : level === 'trace' ? 'debug' : level;
  return {
    fileLevel,
    file: resolveLogFile(paths, config),
    rotation: { maxFileBytes: config.logging?.maxFileBytes ?? DEFAULT_ROTATION.maxFileBytes, maxFiles: config.logging?.maxFiles ?? DEFAULT_ROTATION.maxFiles },
    secrets: [config.gateway?.auth?.token, config.gateway?.auth?.password, auth && auth.mode !== 'none' ? auth.secret : undefined, ...resolved].filter(
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
    const logger = createGatewayLogger({ consoleLevel: flags.verbose ? 'debug' : 'info' }, { write: out, hostname: hostname() });
    // The secrets snapshot every reader uses; `secrets.reload` re-resolves the config applied now.
    const runtime = new SecretsRuntime();
    let host: GatewayHost | undefined;
    let appliedConfig: GatewayFileConfig = {};
    const reloadSecrets = createSecretsReloader({
      runtime,
      env,
      record: async (facts) => host?.current().recordSystem(facts),
      logger: subsystemLogger(logger, 'secrets'),
    });
    const secrets: SecretsWiring = {
      runtime,
      module: secretsModule({
        // Re-resolve the running config, then what reads secrets live: the auth new connections use, the log mask.
        reload: async () => {
          await reloadSecrets(appliedConfig, 'reload');
          const resolved = resolve(appliedConfig);
          host?.current().reconfigure({ auth: resolved.auth });
          logger.configure(loggingSettings(paths, appliedConfig, resolved.auth, runtime.values()));
        },
      }),
    };
    const resolve = (fileConfig: GatewayFileConfig) => resolveRuntime(flags, env, paths, fileConfig, logger, secrets);
    // A first start records what it runs with (so clients find it); refusals come before anything is written.
    const seed = firstStart(flags, env, paths);
    if (readConfig(paths.configPath) === undefined) resolve(firstConfig(seed, 'generated'));
    const { config, hash, created, createdToken } = ensureConfig(paths, seed);
    if (config.gateway?.mode !== 'local' && !flags['allow-unconfigured']) {
      throw new StartError(`Gateway start blocked: set gateway.mode=local (current: ${config.gateway?.mode ?? 'unset'}) or pass --allow-unconfigured.`, EXIT_CONFIG);
    }
    if (created && flags.dev) {
      mkdirSync(join(resolveWorkspace(paths, config), 'canvas'), { recursive: true });
      out(`Dev config ready: ${paths.configPath}\nDev workspace ready: ${resolveWorkspace(paths, config)}\n`);
    }
    // SecretRefs resolve before anything starts; one that cannot is a refusal naming its key.
    const initial = await runtime.prepare(config, env);
    if (!initial.ok) throw new StartError(`${initial.path}: secret reference cannot be resolved: ${initial.reason}`, EXIT_CONFIG);
    initial.activate();
    appliedConfig = config;
    const first = resolve(config); // refusals (bad port, bind without auth…) before anything is touched
    logger.configure(loggingSettings(paths, config, first.auth, runtime.values()));
    if (flags.force) {
      freePort(first.port, out);
      await waitForPortFree(first.port, 5000);
    }
    // Signals are handled from here on: one arriving while the gateway starts waits for the start.
    const signals = installSignalHandlers(out);
    host = await startGatewayHost({
      configPath: paths.configPath,
      initial: { config, hash },
      resolve,
      prepare: (fileConfig) => reloadSecrets(fileConfig, 'config'),
      onApplied: (fileConfig, resolved) => {
        appliedConfig = fileConfig;
        logger.configure(loggingSettings(paths, fileConfig, resolved.auth, runtime.values()));
      },
      logger,
      restartExpectedMs: RESTART_EXPECTED_MS,
    });
    if (initial.refs > 0) await host.current().recordSystem([{ type: 'secrets.reloaded', data: { trigger: 'start', refs: initial.refs, changed: [] } }]);
    if (created && !createdToken) out(describeFirstStart(paths.configPath, seed));
    else if (createdToken) {
      out(
        `Generated a gateway token and saved it in ${paths.configPath} (shown once):\n  ${createdToken}\n` +
          `Clients pass it with --token ${createdToken} or OPENCLAW_GATEWAY_TOKEN=${createdToken}.\n`,
      );
    }
    signals.attach(host);
    const started = host;
    void started.failed.then(async (error) => {
      process.stderr.write(`openclaw gateway: in-process restart failed: ${await describeStartFailure(error)}\n`);
      process.exit(1);
    });
  } catch (error) {
    const code = error instanceof StartError || error instanceof ConfigError ? error.exitCode : 1;
    process.stderr.write(`openclaw gateway: ${await describeStartFailure(error)}\n`);
    process.exit(code);
  }
}

/**
 * What a first start records: the flags' port, bind and secret (clients have no flags, so the
 * file is how they find this gateway). What the environment decided stays there: no port, and
 * only the auth mode for a secret from OPENCLAW_GATEWAY_TOKEN/_PASSWORD (clients read the same
 * variables). Throws the usual refusal for a bad --port.
 */
function firstStart(flags: RunFlags, env: NodeJS.ProcessEnv, paths: ProfilePaths): FirstStart {
  const flagPort = parsePort(flags.port, '--port');
  const port = flagPort !== undefined ? (flagPort === 0 ? null : flagPort) : envValue(env, 'OPENCLAW_GATEWAY_PORT') ? null : undefined;
  const bind = flags.bind === 'loopback' || flags.bind === 'lan' || flags.bind === 'auto' || flags.bind === 'custom' ? flags.bind : undefined;
  let auth: FirstStart['auth'];
  if (flags.auth === 'none') auth = { mode: 'none' };
  else if (flags.password) auth = { mode: 'password', password: flags.password };
  else if (flags.token && flags.auth !== 'password') auth = { mode: 'token', token: flags.token };
  else if (flags.auth === 'password' || env.OPENCLAW_GATEWAY_PASSWORD) auth = { mode: 'password' };
  else if (env.OPENCLAW_GATEWAY_TOKEN) auth = { mode: 'token' };
  // `gateway --dev` (the official run flag): a dev workspace beside the profile's default one.
  const workspace = flags.dev && paths.profile !== 'dev' ? `${paths.defaultWorkspace}-dev` : undefined;
  return { port, ...(bind ? { bind } : {}), ...(auth ? { auth } : {}), ...(workspace ? { workspace } : {}) };
}

function describeFirstStart(configPath: string, seed: FirstStart): string {
  const recorded = [
    'gateway.mode local',
    ...(typeof seed.port === 'number' ? [`port ${seed.port}`] : []),
    ...(seed.auth?.token ? ['the token given by --token'] : seed.auth?.password ? ['the password given by --password'] : seed.auth?.mode === 'none' ? ['auth none'] : []),
  ];
  const fromEnv = seed.auth && !seed.auth.token && !seed.auth.password && seed.auth.mode !== 'none' ? ' The secret comes from the environment and is not saved: clients need the same variable.' : '';
  return `Created ${configPath} with ${recorded.join(', ')}; clients of this profile use it.${fromEnv}\n`;
}

/** A refusal or failure of the start as the one line the runbook's failure signatures name. */
async function describeStartFailure(error: unknown): Promise<string> {
  const err = error as NodeJS.ErrnoException & { cause?: unknown };
  const listen = listenErrorIn(error);
  if (listen?.code === 'EADDRINUSE') {
    const url = `ws://${formatHostPort(listen.host, listen.port)}`;
    return `another gateway instance is already listening on ${url} (EADDRINUSE: ${await portHolder(listen.port)}); stop it or pass --force`;
  }
  if (listen) return `failed to bind gateway socket on ws://${formatHostPort(listen.host, listen.port)}: ${listen.code}`;
  const cause = (err.cause ?? err) as NodeJS.ErrnoException;
  if (cause.code === 'EADDRINUSE') return `port already in use (${cause.message}); stop the other listener or pass --force`;
  return err.message ?? String(error);
}

function listenErrorIn(error: unknown): ListenError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof ListenError) return current;
  }
  return undefined;
}

/** Who holds `port` (lsof, else ss), for the EADDRINUSE line. */
async function portHolder(port: number): Promise<string> {
  try {
    const status = await inspectPort(createCommandRunner(process.env).run, port);
    const holders = [...new Set(status.listeners.filter((l) => l.pid !== undefined).map((l) => `pid ${l.pid} (${l.command ?? '?'})`))];
    if (holders.length > 0) return `held by ${holders.join(', ')}`;
    return status.source === 'connect' ? 'held by a process lsof/ss could not name' : 'held by a process this user cannot see';
  } catch (inspectError) {
    return `holder unknown: ${(inspectError as Error).message}`;
  }
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
        const cause = error instanceof Error && error.cause !== undefined ? ` (${error.cause instanceof Error ? error.cause.message : String(error.cause)})` : '';
        process.stderr.write(`openclaw gateway: stop failed: ${(error as Error).message}${cause}\n`);
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
