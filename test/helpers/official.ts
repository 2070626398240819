import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The official OpenClaw CLI and protocol packages, used as oracles by the interop suite
 * (test/interop/). `../shared/tools/official-openclaw.sh --protocol` installs them (Node 24, the
 * `openclaw` CLI, `@openclaw/gateway-protocol`, `@openclaw/gateway-client`) into a cache dir
 * and prints the path of a wrapper script on its last stdout line.
 */

/** The project root (the folder holding package.json). */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `shared/tools/official-openclaw.sh` beside the project root (or beside one of its parents). */
function findInstallScript(): string | undefined {
  for (let dir = PROJECT_ROOT; ; dir = dirname(dir)) {
    const candidate = resolve(dir, '../shared/tools/official-openclaw.sh');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
const INSTALL_SCRIPT = findInstallScript();

/** A fresh install downloads Node 24 and the CLI: give it minutes, not seconds. */
export const OFFICIAL_INSTALL_TIMEOUT_MS = 15 * 60_000;
/** Hook timeout for a `beforeAll` that calls `ensureOfficial()` (install + slack). */
export const OFFICIAL_HOOK_TIMEOUT_MS = OFFICIAL_INSTALL_TIMEOUT_MS + 60_000;
/** Default bound of one official CLI run. */
export const OFFICIAL_CLI_TIMEOUT_MS = 60_000;

/** Result of one process run. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

let wrapperPath: string | undefined;
let installing: Promise<string> | undefined;

/**
 * Installs (first time) or locates the official CLI; resolves with the wrapper path. Idempotent
 * and memoised per process; concurrent vitest workers serialise on a `flock` next to the cache.
 */
export function ensureOfficial(): Promise<string> {
  installing ??= (async () => {
    const cache = defaultCacheDir();
    if (!INSTALL_SCRIPT) {
      // A checkout without ../shared beside it: use an install the script made earlier, if any.
      const wrapper = join(cache, 'openclaw-official');
      if (existsSync(wrapper) && existsSync(join(cache, 'cli/node_modules/@openclaw/gateway-client'))) return (wrapperPath = wrapper);
      throw new Error(`official-openclaw.sh not found beside ${PROJECT_ROOT} (../shared/tools) and no earlier install in ${cache}`);
    }
    mkdirSync(dirname(cache), { recursive: true });
    const lock = `${cache}.install.lock`;
    const useFlock = existsSync('/usr/bin/flock') || existsSync('/bin/flock');
    const [command, args] = useFlock
      ? ['flock', [lock, 'bash', INSTALL_SCRIPT, '--protocol']]
      : ['bash', [INSTALL_SCRIPT, '--protocol']];
    const result = await run(command, args, { cwd: PROJECT_ROOT, env: process.env, timeoutMs: OFFICIAL_INSTALL_TIMEOUT_MS });
    const last = result.stdout.trim().split('\n').at(-1)?.trim() ?? '';
    if (result.code !== 0 || !last || !existsSync(last)) {
      throw new Error(
        `official-openclaw.sh failed (code ${result.code}, signal ${result.signal}, timedOut ${result.timedOut}):\n${result.stdout}\n${result.stderr}`,
      );
    }
    wrapperPath = last;
    return last;
  })();
  return installing;
}

function defaultCacheDir(): string {
  return process.env.OPENCLAW_OFFICIAL_DIR ?? join(homedir(), '.cache', 'openclaw-official');
}

/** The cache dir the official packages live in (the wrapper's folder once installed). */
export function officialCacheDir(): string {
  return wrapperPath ? dirname(wrapperPath) : defaultCacheDir();
}

/** The installed official `@openclaw/gateway-protocol/protocol.schema.json` (draft-07). */
export function officialSchemaPath(): string {
  return join(officialCacheDir(), 'cli', 'node_modules', '@openclaw', 'gateway-protocol', 'protocol.schema.json');
}

/** The Node 24 binary the official CLI runs on. */
export function officialNodePath(): string {
  return join(officialCacheDir(), 'node', 'bin', 'node');
}

/** A temporary HOME for the official CLI, optionally with a `~/.openclaw/openclaw.json`. */
export interface OfficialHome {
  readonly dir: string;
  cleanup(): void;
}

/** Creates a fresh HOME for the official CLI; `config` becomes its `~/.openclaw/openclaw.json`. */
export function makeOfficialHome(config?: unknown): OfficialHome {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-official-home-'));
  if (config !== undefined) {
    mkdirSync(join(dir, '.openclaw'), { recursive: true });
    writeFileSync(join(dir, '.openclaw', 'openclaw.json'), `${JSON.stringify(config, null, 2)}\n`);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Variables the official CLI must not inherit from the test process: our gateway settings, and
 * the test-runner markers (with VITEST set the official CLI believes it runs under its own test
 * suite and prints nothing).
 */
const LEAKY_ENV = /^(OPENCLAW_|VITEST|NODE_ENV$|TEST$|NODE_OPTIONS$)/;

/** Outcome of one official CLI run. */
export interface OfficialCliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the official CLI with `args`. Each call gets a fresh OFFICIAL_HOME (removed afterwards)
 * unless `env.OFFICIAL_HOME` is given. Inherited `OPENCLAW_*` and test-runner variables are
 * dropped (see LEAKY_ENV); pass what a command needs in `env`.
 * Rejects if the run exceeds `timeoutMs`.
 */
export async function runOfficialCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = OFFICIAL_CLI_TIMEOUT_MS,
): Promise<OfficialCliResult> {
  const wrapper = await ensureOfficial();
  const home = env.OFFICIAL_HOME ? undefined : makeOfficialHome();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !LEAKY_ENV.test(key)));
  try {
    const result = await run(wrapper, args, {
      cwd: home?.dir ?? env.OFFICIAL_HOME,
      env: { ...inherited, NO_COLOR: '1', FORCE_COLOR: '0', ...(home ? { OFFICIAL_HOME: home.dir } : {}), ...env },
      timeoutMs,
    });
    if (result.timedOut) {
      throw new Error(`official CLI timed out after ${timeoutMs} ms: openclaw ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
    }
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  } finally {
    home?.cleanup();
  }
}

/** The part of `@openclaw/gateway-client`'s `GatewayClient` options the interop tests use. */
export interface ReferenceClientOptions {
  url: string;
  token?: string;
  password?: string;
  minProtocol?: number;
  maxProtocol?: number;
  clientName?: string;
  mode?: string;
  role?: string;
  scopes?: string[];
  requestTimeoutMs?: number;
  onEvent?: (event: { type: 'event'; event: string; payload?: unknown; seq?: number; stateVersion?: unknown }) => void;
  onHelloOk?: (hello: Record<string, unknown>) => void;
  onConnectError?: (error: Error) => void;
  onClose?: (code: number, reason: string, info?: { phase: 'pre-hello' | 'post-hello' }) => void;
  onGap?: (info: { expected: number; received: number }) => void;
}

/** The part of `GatewayClient` the interop tests use (see its dist/index.d.mts). */
export interface ReferenceClient {
  start(): void;
  stop(): void;
  stopAndWait(opts?: { timeoutMs?: number }): Promise<void>;
  request<T = Record<string, unknown>>(method: string, params?: unknown, opts?: { timeoutMs?: number | null }): Promise<T>;
}

/** The reference client module, narrowed to what the tests use. */
export interface ReferenceClientModule {
  GatewayClient: new (options: ReferenceClientOptions) => ReferenceClient;
}

/**
 * Imports `@openclaw/gateway-client` from the official cache. The package declares Node >= 22.19,
 * but its Node entry point (GatewayClient over `ws`) uses nothing newer than Node 20, so it runs
 * in-process under the project's Node 20; its `ws` and protocol deps resolve from the cache.
 */
export async function importReferenceClient(): Promise<ReferenceClientModule> {
  await ensureOfficial();
  const entry = join(officialCacheDir(), 'cli', 'node_modules', '@openclaw', 'gateway-client', 'dist', 'index.mjs');
  const module = (await import(/* @vite-ignore */ pathToFileURL(entry).href)) as Partial<ReferenceClientModule>;
  if (typeof module.GatewayClient !== 'function') throw new Error(`${entry} exports no GatewayClient`);
  return module as ReferenceClientModule;
}
