/**
 * Resource bounds under attack: starts our gateway, runs one attack at a time from 127.0.0.1 and
 * prints the gateway's resident memory and open file descriptors (baseline, peak, after) and the
 * `health` RPC latency another, already-connected client sees meanwhile (p50/p99/max).
 *
 *   node dist/bench/attacks.js [--transport uws|ws] [--json]
 *
 * Attacks: pre-auth WebSocket flood, oversized request heads, chunked bodies that never end,
 * pipelining without reading, many authenticated WebSockets. Each is bounded in count and time.
 */
import { parseArgs } from 'node:util';
import { connect as tcpConnect, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type BenchClient } from './client.js';
import { rssKb } from './proc.js';
import { pool, summarize } from './stats.js';
import { killAllSync, startTarget } from './target.js';
import type { RunningTarget } from './scenario.js';

interface Figures {
  readonly attack: string;
  readonly outcome: string;
  readonly rssMiB: { readonly before: number; readonly peak: number; readonly after: number };
  readonly fds: { readonly before: number; readonly peak: number; readonly after: number };
  readonly healthMs: { readonly p50: number | null; readonly p99: number | null; readonly max: number | null; readonly calls: number };
}

const { values } = parseArgs({ options: { transport: { type: 'string' }, json: { type: 'boolean' } } });
const UPGRADE = (extra = ''): string =>
  `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Samples RSS and fds of `pid` every 50 ms until stopped; returns the peaks. */
function sampler(pid: number): { stop(): { rss: number; fds: number } } {
  let rss = 0;
  let fds = 0;
  const sample = (): void => {
    rss = Math.max(rss, rssKb(pid) ?? 0);
    fds = Math.max(fds, fdCount(pid));
  };
  sample();
  const timer = setInterval(sample, 50);
  return { stop: () => (clearInterval(timer), sample(), { rss, fds }) };
}

/** Calls `health` back to back on `client` until stopped; returns the latencies (ms). */
function prober(client: BenchClient): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await client.request('health', {}).catch(() => undefined);
      samples.push(performance.now() - started);
    }
  })();
  return { stop: async () => ((running = false), await loop, samples) };
}

/** A raw TCP connection to the gateway; resolves once connected. */
function raw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function write(socket: Socket, bytes: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    if (socket.write(bytes)) return resolve();
    const done = (): void => (socket.off('drain', done), socket.off('close', done), resolve());
    socket.once('drain', done);
    socket.once('close', done);
  });
}

const closed = (socket: Socket): Promise<void> => (socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve())));
const mib = (kb: number): number => Math.round(kb / 102.4) / 10;

async function measure(target: RunningTarget & { pid: number }, attack: string, run: () => Promise<{ outcome: string; cleanup: () => Promise<void> }>): Promise<Figures> {
  const prober_ = await connect({ url: target.url, token: target.token });
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the previous attack's sockets go
  const rssBefore = rssKb(target.pid) ?? 0;
  const fdsBefore = fdCount(target.pid);
  const peaks = sampler(target.pid);
  const probe = prober(prober_);
  const { outcome, cleanup } = await run();
  const latencies = await probe.stop();
  const peak = peaks.stop();
  await cleanup();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const summary = summarize(latencies);
  prober_.terminate();
  const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);
  return {
    attack,
    outcome,
    rssMiB: { before: mib(rssBefore), peak: mib(peak.rss), after: mib(rssKb(target.pid) ?? 0) },
    fds: { before: fdsBefore, peak: peak.fds, after: fdCount(target.pid) },
    healthMs: { p50: round(summary.p50), p99: round(summary.p99), max: round(summary.max), calls: latencies.length },
  };
}

async function preAuthFlood(port: number): Promise<{ outcome: string; cleanup: () => Promise<void> }> {
  const sockets: Socket[] = [];
  let upgraded = 0;
  let refused = 0;
  await pool(500, 50, async () => {
    const socket = await raw(port);
    sockets.push(socket);
    const answer = await new Promise<string>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1', 0, 12)));
      socket.once('close', () => resolve('closed'));
      socket.write(UPGRADE());
    });
    if (answer.startsWith('HTTP/1.1 101')) upgraded += 1;
    else refused += 1;
  });
  return { outcome: `500 idle upgrades: ${upgraded} admitted, ${refused} refused (503)`, cleanup: async () => sockets.forEach((s) => s.destroy()) };
}

async function oversizedHeads(port: number): Promise<{ outcome: string; cleanup: () => Promise<void> }> {
  const answers = new Map<string, number>();
  const filler = Buffer.alloc(64 * 1024, 0x61);
  await pool(200, 50, async () => {
    const socket = await raw(port);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer ||= chunk.toString('latin1', 0, 12)));
    await write(socket, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ');
    for (let sent = 0; sent < 1024 * 1024 && !socket.destroyed; sent += filler.length) await write(socket, filler);
    await write(socket, '\r\n\r\n');
    await Promise.race([closed(socket), new Promise((resolve) => setTimeout(resolve, 5000))]);
    const key = answer === '' ? 'dropped without an answer' : answer.trim();
    answers.set(key, (answers.get(key) ?? 0) + 1);
    socket.destroy();
  });
  return { outcome: `200 × 1 MiB heads: ${[...answers].map(([k, n]) => `${n} ${k}`).join(', ')}`, cleanup: async () => undefined };
}

async function endlessChunkedBodies(port: number, token: string): Promise<{ outcome: string; cleanup: () => Promise<void> }> {
  const sockets: Socket[] = [];
  await pool(200, 50, async () => {
    const socket = await raw(port);
    sockets.push(socket);
    await write(socket, `POST /tools/invoke HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"nam\r\n`);
  });
  await new Promise((resolve) => setTimeout(resolve, 3000)); // they stall; others are probed meanwhile
  const open = sockets.filter((s) => !s.destroyed).length;
  return { outcome: `200 stalled chunked POSTs: ${open} still open after 3 s`, cleanup: async () => sockets.forEach((s) => s.destroy()) };
}

async function pipelinedWithoutReading(port: number): Promise<{ outcome: string; cleanup: () => Promise<void> }> {
  const batch = Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(1000));
  let requests = 0;
  let cut = 0;
  await pool(10, 10, async () => {
    const socket = await raw(port);
    socket.pause();
    for (let i = 0; i < 500 && !socket.destroyed; i += 1) {
      await Promise.race([write(socket, batch), new Promise((resolve) => setTimeout(resolve, 5000))]);
      requests += 1000;
    }
    if (socket.destroyed) cut += 1;
    socket.destroy();
  });
  return { outcome: `10 connections pipelining unread: ${cut} closed by the gateway (the client had queued ${requests} requests, most never read by it)`, cleanup: async () => undefined };
}

async function manyWebSockets(url: string, token: string): Promise<{ outcome: string; cleanup: () => Promise<void> }> {
  const clients: BenchClient[] = [];
  let failed = 0;
  await pool(2000, 16, async () => { // under the 32 pre-auth sockets one address may hold
    try {
      clients.push(await connect({ url, token }));
    } catch {
      failed += 1;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { outcome: `2000 authenticated WebSockets: ${clients.length} open, ${failed} failed`, cleanup: async () => clients.forEach((c) => c.terminate()) };
}

async function main(): Promise<void> {
  const bin = fileURLToPath(new URL('../../bin/openclaw', import.meta.url));
  const transport = values.transport;
  const target = await startTarget(
    {
      kind: 'spawn', name: 'ours', command: process.execPath, readyTimeoutMs: 30_000,
      args: (port, token) => [bin, 'gateway', '--port', String(port), '--token', token],
      env: (stateDir) => ({ OPENCLAW_STATE_DIR: stateDir, ...(transport === undefined ? {} : { OPENCLAW_TRANSPORT: transport }) }),
      configPath: (stateDir) => join(stateDir, 'openclaw.json'),
    },
    (message) => process.stderr.write(`${message}\n`),
  );
  try {
    if (target.pid === undefined) throw new Error('no gateway pid: cannot read its memory');
    const live = { ...target, pid: target.pid };
    const port = Number(new URL(target.url).port);
    const results: Figures[] = [];
    results.push(await measure(live, 'pre-auth socket flood', () => preAuthFlood(port)));
    results.push(await measure(live, 'oversized request heads', () => oversizedHeads(port)));
    results.push(await measure(live, 'chunked bodies that never end', () => endlessChunkedBodies(port, target.token)));
    results.push(await measure(live, 'pipelining without reading', () => pipelinedWithoutReading(port)));
    results.push(await measure(live, 'many WebSocket connections', () => manyWebSockets(target.url, target.token)));
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ transport: transport ?? 'auto', results }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`transport: ${transport ?? 'auto'}\n`);
    process.stdout.write('attack                          | RSS MiB before/peak/after | fds before/peak/after | health ms p50/p99/max (calls) | outcome\n');
    for (const r of results) {
      process.stdout.write(
        `${r.attack.padEnd(31)} | ${`${r.rssMiB.before}/${r.rssMiB.peak}/${r.rssMiB.after}`.padEnd(25)} | ${`${r.fds.before}/${r.fds.peak}/${r.fds.after}`.padEnd(21)} | ${`${r.healthMs.p50}/${r.healthMs.p99}/${r.healthMs.max} (${r.healthMs.calls})`.padEnd(29)} | ${r.outcome}\n`,
      );
    }
  } finally {
    await target.stop();
  }
}

process.on('exit', killAllSync);
main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllSync();
  process.exit(1);
});
