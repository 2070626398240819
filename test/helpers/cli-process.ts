import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { LAUNCHER, TEST_TRANSPORT } from './gateway-process.js';

/** How a finished CLI process ended, with everything it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Environment of a child: the test's, minus gateway settings that would leak in, plus `env`. */
export function childEnv(env: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['OPENCLAW_GATEWAY_PORT', 'OPENCLAW_GATEWAY_TOKEN', 'OPENCLAW_GATEWAY_PASSWORD', 'OPENCLAW_GATEWAY_URL', 'OPENCLAW_CONFIG_PATH']) {
    delete base[key];
  }
  if (TEST_TRANSPORT) base.OPENCLAW_TRANSPORT = TEST_TRANSPORT;
  return { ...base, ...env };
}

/** Runs `openclaw <args>` to completion (killed after `timeoutMs`). */
export async function runCli(args: readonly string[], options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [LAUNCHER, ...args], { env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr, durationMs: Date.now() - started };
}

/** A long-running child (a daemon started with hand-picked flags, or a plain listener). */
export interface Daemon {
  readonly child: ChildProcess;
  output(): string;
  stderr(): string;
  /** Resolves once the output matches `pattern`; rejects if the process exits first or on timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) unless already gone, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function watch(child: ChildProcess): Daemon {
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    waitForOutput: (pattern, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          check();
          cleanup();
          reject(new Error(`process exited before printing ${pattern}:\n${output}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        if (gone) onExit();
        else child.once('exit', onExit);
        check();
      }),
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `openclaw <args>` as a daemon with exactly these flags (no --port/--token added). */
export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Daemon {
  return watch(spawn(process.execPath, [LAUNCHER, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A plain node HTTP server child listening on 127.0.0.1:`port` (something for --force to kill). */
export async function startPlainListener(port: number): Promise<Daemon> {
  const script = `
    const server = require('node:http').createServer((req, res) => res.end('plain'));
    server.listen(${port}, '127.0.0.1', () => console.log('plain listener ready'));
    process.on('SIGTERM', () => process.exit(0));
  `;
  const daemon = watch(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await daemon.waitForOutput(/plain listener ready/, 10_000);
  return daemon;
}

/** Polls `condition` every 20 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Parses JSON lines (one object per non-empty line). */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
