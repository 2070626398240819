import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built launcher (tests run after `npm run build`). */
export const LAUNCHER = fileURLToPath(new URL('../../bin/openclaw', import.meta.url));

/** Transport the e2e suite forces: OPENCLAW_TEST_TRANSPORT=uws|ws (unset: the gateway picks). */
export const TEST_TRANSPORT = process.env.OPENCLAW_TEST_TRANSPORT;

/** A gateway child process started for a test. */
export interface GatewayProcess {
  readonly port: number;
  readonly url: string;
  readonly token: string;
  readonly stateDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output after offset `from` (default 0), as the output arrives. */
  waitForOutput(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes the state dir (after stop). */
  cleanup(): void;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface StartOptions {
  readonly token?: string;
  /** Reuse a state dir (restart tests); a fresh temp dir otherwise. */
  readonly stateDir?: string;
  readonly port?: number;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Wait for the listening line (default true). */
  readonly waitForReady?: boolean;
}

/** Starts `openclaw gateway` in a child process and waits until it listens. */
export async function startGatewayProcess(options: StartOptions = {}): Promise<GatewayProcess> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'openclaw-test-'));
  const port = options.port ?? (await freePort());
  const token = options.token ?? 'test-token-0123456789';
  const child = spawn(process.execPath, [LAUNCHER, 'gateway', '--port', String(port), '--token', token, ...(options.args ?? [])], {
    env: {
      ...process.env,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_CONFIG_PATH: join(stateDir, 'openclaw.json'),
      ...(TEST_TRANSPORT ? { OPENCLAW_TRANSPORT: TEST_TRANSPORT } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  if (options.waitForReady !== false) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start in 15 s:\n${output}`)), 15_000);
      const check = () => {
        if (/listening on ws:\/\//.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`gateway exited (${code ?? signal}) before listening:\n${output}`));
      });
      check();
    });
  }
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    token,
    stateDir,
    child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 15_000, from = 0) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): boolean => {
          const match = output.slice(from).match(pattern);
          if (!match) return false;
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stderr?.off('data', onData);
          resolve(match);
          return true;
        };
        const onData = () => void check();
        const timer = setTimeout(() => {
          child.stdout?.off('data', onData);
          child.stderr?.off('data', onData);
          reject(new Error(`gateway output did not match ${String(pattern)} in ${timeoutMs} ms:\n${output.slice(from)}`));
        }, timeoutMs);
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        check();
      }),
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    cleanup: () => {
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
