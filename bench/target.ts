/**
 * Launches and stops the gateways under test. Every spawned gateway gets a fresh temporary state
 * directory, a free loopback port and a random token, and runs in its own process group so that
 * stopping it also stops whatever it forked. `killAllSync` is the last-resort cleanup for exit paths.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { listenerPid, processTree } from './proc.js';
import type { RunningTarget } from './scenario.js';
import { waitUntilReady } from './scenarios/startup.js';
import { sleep } from './stats.js';

/** How to start a gateway: `args`/`env` receive the port, token and a fresh state directory. */
export interface SpawnSpec {
  readonly kind: 'spawn';
  readonly name: string;
  readonly command: string;
  readonly args: (port: number, token: string) => string[];
  readonly env: (stateDir: string) => Record<string, string>;
  readonly readyTimeoutMs: number;
  /** Where the target's config file lives in its state directory. */
  readonly configPath?: (stateDir: string) => string;
}

/** A gateway someone else runs. */
export interface UrlSpec {
  readonly kind: 'url';
  readonly name: string;
  readonly url: string;
  readonly token: string;
}

export type TargetSpec = SpawnSpec | UrlSpec;

interface Live {
  readonly child: ChildProcess;
  readonly stateDir: string;
}

const live = new Set<Live>();
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 40;

/** Asks the kernel for a free port on 127.0.0.1 (racy in theory, fine for a bench). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // ESRCH: already gone, which is what we wanted.
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

/** Signals the child's process group and every descendant (helpers may start their own groups). */
function signalGroup(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  const descendants = processTree(child.pid).slice(1);
  signal(-child.pid, name);
  for (const pid of descendants) signal(pid, name);
}

/** SIGKILLs every gateway still running and removes its state; safe to call from 'exit' handlers. */
export function killAllSync(): void {
  for (const entry of live) {
    signalGroup(entry.child, 'SIGKILL');
    rmSync(entry.stateDir, { recursive: true, force: true });
  }
  live.clear();
}

async function stopLive(entry: Live): Promise<void> {
  if (!live.has(entry)) return;
  const { child } = entry;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child, 'SIGTERM');
    await Promise.race([exited, sleep(STOP_GRACE_MS)]);
  }
  // Forked helpers may outlive the main process: the group goes either way.
  signalGroup(child, 'SIGKILL');
  live.delete(entry);
  rmSync(entry.stateDir, { recursive: true, force: true });
}

async function launch(spec: SpawnSpec, log: (message: string) => void): Promise<RunningTarget> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const stateDir = mkdtempSync(join(tmpdir(), `openclaw-bench-${spec.name}-`));
  const url = `ws://127.0.0.1:${port}/`;
  const tail: string[] = [];
  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') tail.push(line);
    tail.splice(0, Math.max(0, tail.length - OUTPUT_TAIL_LINES));
  };
  log(`${spec.name}: starting ${spec.command} on 127.0.0.1:${port}`);
  const spawnedAt = performance.now();
  const child = spawn(spec.command, spec.args(port, token), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env(stateDir) },
  });
  const entry: Live = { child, stateDir };
  live.add(entry);
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let spawnError: string | undefined;
  child.once('error', (error) => {
    spawnError = error.message;
  });
  const stop = (): Promise<void> => stopLive(entry);
  try {
    const readyAt = await waitUntilReady({
      url, token, deadline: spawnedAt + spec.readyTimeoutMs,
      exited: () => spawnError ?? (child.exitCode !== null || child.signalCode !== null
        ? `exit ${child.exitCode ?? child.signalCode ?? '?'}` : undefined),
    });
    return { name: spec.name, url, token, pid: child.pid, readyMs: readyAt - spawnedAt, readyAt, stop, ...(spec.configPath ? { configPath: spec.configPath(stateDir) } : {}) };
  } catch (error) {
    await stop();
    const output = tail.length > 0 ? `\n--- last output of ${spec.name} ---\n${tail.join('\n')}` : '';
    throw new Error(`${spec.name}: ${error instanceof Error ? error.message : String(error)}${output}`, { cause: error });
  }
}

/** Starts the target (or checks a running one answers) and returns it ready for scenarios. */
export async function startTarget(spec: TargetSpec, log: (message: string) => void): Promise<RunningTarget> {
  if (spec.kind === 'spawn') return launch(spec, log);
  await waitUntilReady({ url: spec.url, token: spec.token, deadline: performance.now() + 10_000, exited: () => undefined });
  const port = Number(new URL(spec.url).port || '80');
  const pid = listenerPid(port);
  log(`${spec.name}: ${spec.url} answers${pid === undefined ? ' (server pid not visible: no RSS figures)' : ` (pid ${pid})`}`);
  return { name: spec.name, url: spec.url, token: spec.token, pid, readyMs: undefined, readyAt: undefined, stop: async () => undefined };
}
