/**
 * idle: opens M authenticated connections and keeps them idle, then reports how many were refused
 * (socket errors such as EMFILE/EADDRNOTAVAIL/ECONNRESET, server closes, timeouts) and the server's
 * RSS growth per established connection. Nothing system-wide is raised: if this process runs out of
 * file descriptors, those attempts count as refused and the report says why.
 */
import { performance } from 'node:perf_hooks';
import { connect, ConnectFailure, type BenchClient } from '../client.js';
import { openFileCount, openFileLimit, treeRssKb } from '../proc.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { pool, sleep } from '../stats.js';

// The official gateway answers 503 beyond 32 pre-auth connections per IP (OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP).
const CONNECT_CONCURRENCY = 32;
const SETTLE_MS = 2_000;
const DEADLINE_MS = 120_000;

/** Reports refused connections and server RSS delta per connection (KiB). */
export async function runIdle(ctx: ScenarioContext): Promise<Metric[]> {
  const total = ctx.sizes.idleConnections;
  const { url, token, pid } = ctx.target;
  const limit = openFileLimit();
  if (limit !== undefined && openFileCount() + total + 32 > limit) {
    ctx.note(`idle: this process may open only ${limit} files; attempts beyond that fail with EMFILE and count as refused`);
  }
  const clients: BenchClient[] = [];
  const refused = new Map<string, number>();
  try {
    await sleep(SETTLE_MS);
    const before = pid === undefined ? undefined : treeRssKb(pid);
    const started = performance.now();
    const deadline = started + DEADLINE_MS;
    let skipped = 0;
    let lastLog = started;
    await pool(total, CONNECT_CONCURRENCY, async () => {
      if (performance.now() > deadline) {
        skipped += 1;
        return;
      }
      try {
        clients.push(await connect({ url, token, timeoutMs: 20_000, onRaw: () => true }));
      } catch (error) {
        const reason = error instanceof ConnectFailure ? error.reason : 'ERROR';
        refused.set(reason, (refused.get(reason) ?? 0) + 1);
      }
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        ctx.log(`idle: ${clients.length} open, ${[...refused.values()].reduce((a, b) => a + b, 0)} refused…`);
      }
    });
    const openMs = performance.now() - started;
    await sleep(SETTLE_MS);
    const after = pid === undefined ? undefined : treeRssKb(pid);
    const dropped = clients.filter((client) => client.isClosed).length;
    if (dropped > 0) refused.set('closed-while-idle', dropped);
    const established = clients.length - dropped;
    const refusedCount = [...refused.values()].reduce((a, b) => a + b, 0);
    const perConnKb = before !== undefined && after !== undefined && established > 0 ? (after.kb - before.kb) / established : null;
    if (skipped > 0) ctx.note(`idle: ${skipped} connections not attempted: ${DEADLINE_MS / 1000} s deadline reached`);
    if (refused.size > 0) ctx.note(`idle: refused: ${[...refused].map(([r, n]) => `${n}× ${r}`).join(', ')}`);
    if (pid === undefined) ctx.note('idle: server pid unknown, RSS not measured');
    ctx.log(`idle: ${established}/${total} held (${refusedCount} refused) opened in ${(openMs / 1000).toFixed(1)} s; RSS ${before === undefined ? '?' : (before.kb / 1024).toFixed(1)} → ${after === undefined ? '?' : (after.kb / 1024).toFixed(1)} MB = ${perConnKb?.toFixed(2) ?? '?'} KB/conn`);
    return [
      metric('idle.attempted', 'idle connections attempted', '', total - skipped, 'none'),
      metric('idle.established', 'idle connections held', '', established, 'higher'),
      metric('idle.refused', 'idle connections refused', '', refusedCount, 'lower'),
      metric('idle.rate', `idle connections opened/s (${CONNECT_CONCURRENCY} in flight)`, '/s', (clients.length / openMs) * 1000, 'higher'),
      metric('idle.perConn', 'server RSS per idle connection', 'KB', perConnKb, 'lower'),
      metric('idle.rss', 'server RSS with all idle connections', 'MB', after === undefined ? null : after.kb / 1024, 'lower'),
    ];
  } finally {
    for (const client of clients) client.terminate();
    await sleep(500);
  }
}
