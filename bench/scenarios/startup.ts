/**
 * startup: time from spawn to the first hello-ok (measured while the target is launched, by
 * `waitUntilReady`), then the resident memory of the whole process tree after ~2 s idle.
 */
import { performance } from 'node:perf_hooks';
import { connect, ConnectFailure } from '../client.js';
import { treeRssKb } from '../proc.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { sleep } from '../stats.js';

const POLL_INTERVAL_MS = 20;
const IDLE_SETTLE_MS = 2_000;

/** Polls `url` with full handshakes until one reaches hello-ok; resolves with performance.now() at that moment. */
export async function waitUntilReady(options: {
  readonly url: string;
  readonly token: string;
  readonly deadline: number;
  /** Returns a reason when the process has already exited, so polling stops early. */
  readonly exited: () => string | undefined;
}): Promise<number> {
  let last = 'no attempt';
  while (performance.now() < options.deadline) {
    const gone = options.exited();
    if (gone !== undefined) throw new Error(`gateway exited before ready (${gone}); last attempt: ${last}`);
    try {
      const client = await connect({ url: options.url, token: options.token, timeoutMs: 5_000 });
      const readyAt = performance.now();
      client.terminate();
      return readyAt;
    } catch (error) {
      last = error instanceof ConnectFailure ? `${error.reason}: ${error.message}` : String(error);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`gateway not ready before the deadline; last attempt: ${last}`);
}

/** Reports ready time and idle RSS; for targets the bench did not start, only the current RSS. */
export async function runStartup(ctx: ScenarioContext): Promise<Metric[]> {
  const { target } = ctx;
  if (target.readyAt !== undefined) {
    const wait = target.readyAt + IDLE_SETTLE_MS - performance.now();
    if (wait > 0) await sleep(wait);
  } else {
    ctx.note('startup: target was already running; ready time not measured, RSS is current, not at start-up');
  }
  const rss = target.pid === undefined ? undefined : treeRssKb(target.pid);
  if (target.pid === undefined) ctx.note('startup: server pid unknown, RSS not measured');
  ctx.log(`startup: ready ${target.readyMs?.toFixed(0) ?? '?'} ms, RSS ${rss === undefined ? '?' : (rss.kb / 1024).toFixed(1)} MB in ${rss?.processes ?? '?'} process(es)`);
  return [
    metric('startup.ready', 'start-up to first hello-ok', 'ms', target.readyMs ?? null, 'lower'),
    metric('startup.rss', 'idle RSS after start-up (all processes)', 'MB', rss === undefined ? null : rss.kb / 1024, 'lower'),
    metric('startup.processes', 'processes', '', rss?.processes ?? null, 'none'),
  ];
}
