import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ArgsDef } from 'citty';
import { startGateway, type RunningGateway } from '../actors/gateway-system.js';
import { createLogger } from '../actors/logger.js';
import type { AuthPolicy } from '../machines/connection-rules.js';
import { HANDSHAKE_TIMEOUT_MS, TICK_INTERVAL_MS } from '../protocol/version.js';
import type { GatewayFileConfig } from '../protocol/config.js';
import { ConfigError, EXIT_CONFIG, ensureConfig, resolvePaths } from './config.js';

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

/** `openclaw gateway [run]`: resolves flags, env and config, starts the gateway, handles signals. */
export async function runGateway(flags: RunFlags): Promise<void> {
  const env = process.env;
  const out = (line: string) => process.stdout.write(line);
  try {
    process.title = 'openclaw-gateway';
    const paths = resolvePaths(env);
    const { config, createdToken } = ensureConfig(paths);
    if (config.gateway?.mode !== 'local' && !flags['allow-unconfigured']) {
      throw new StartError(`gateway.mode is not "local" in ${paths.configPath}; set it or pass --allow-unconfigured`, EXIT_CONFIG);
    }
    const port = resolvePort(flags.port, env, config);
    const hosts = resolveHosts(flags.bind ?? config.gateway?.bind ?? 'loopback', config);
    const auth = resolveAuth(flags, env, config);
    if (auth.mode === 'none' && !hosts.every(isLoopbackHost)) {
      throw new StartError(`refusing to bind ${hosts.join(', ')} without auth: set a token or password, or bind loopback`);
    }
    if (flags.force) {
      freePort(port, out);
      await waitForPortFree(port, 5000);
    }
    const logger = createLogger({ level: flags.verbose ? 'debug' : 'info', write: out });
    const transportEnv = env.OPENCLAW_TRANSPORT;
    const transport = transportEnv === 'uws' || transportEnv === 'ws' ? transportEnv : 'auto';
    const gateway = await startGateway({
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
      agents: [{ id: 'main', workspace: config.agents?.defaults?.workspace ?? join(paths.stateDir, 'workspace'), isDefault: true }],
      logger,
    });
    if (createdToken) {
      out(
        `Generated a gateway token and saved it in ${paths.configPath} (shown once):\n  ${createdToken}\n` +
          `Clients pass it with --token ${createdToken} or OPENCLAW_GATEWAY_TOKEN=${createdToken}.\n`,
      );
    }
    installSignalHandlers(gateway, out);
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
  return err.message ?? String(error);
}

function installSignalHandlers(gateway: RunningGateway, out: (line: string) => void): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    out(`${signal}: stopping the gateway\n`);
    gateway.stop({ reason: 'gateway stopping' }).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`openclaw gateway: stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
