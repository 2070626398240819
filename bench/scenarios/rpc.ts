/**
 * rpc: one connection, `system-presence` requests pipelined with a fixed window in flight,
 * for a fixed count (bounded by a deadline). Latency is send → response.
 */
import { performance } from 'node:perf_hooks';
import { connect } from '../client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { summarize } from '../stats.js';

const WARMUP = 200;
const DEADLINE_MS = 60_000;

/** Reports requests/s and p50/p99 latency over `sizes.rpcCount` pipelined requests. */
export async function runRpc(ctx: ScenarioContext): Promise<Metric[]> {
  const { rpcCount: count, rpcWindow: window } = ctx.sizes;
  const client = await connect({ url: ctx.target.url, token: ctx.target.token });
  try {
    for (let i = 0; i < WARMUP; i += 1) await client.call('system-presence');
    const latencies = new Float64Array(count);
    let sent = 0;
    let done = 0;
    let failed = 0;
    let firstError: unknown;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DEADLINE_MS);
      const finish = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const pump = (): void => {
        while (sent < count && sent - done < window && !client.isClosed) {
          const index = sent++;
          const t0 = performance.now();
          void client.call('system-presence').then(
            () => {
              latencies[index] = performance.now() - t0;
            },
            (error: unknown) => {
              latencies[index] = Number.NaN;
              failed += 1;
              firstError ??= error;
            },
          ).finally(() => {
            done += 1;
            if (done === count || (client.isClosed && done === sent)) finish();
            else pump();
          });
        }
      };
      pump();
    });
    const elapsedMs = performance.now() - started;
    const ok = latencies.subarray(0, done).filter((value) => !Number.isNaN(value));
    const summary = summarize(ok);
    const rate = (ok.length / elapsedMs) * 1000;
    if (done < count) ctx.note(`rpc: only ${done} of ${count} requests completed within ${DEADLINE_MS / 1000} s`);
    if (failed > 0) ctx.note(`rpc: ${failed} requests failed, first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
    ctx.log(`rpc: ${ok.length} in ${(elapsedMs / 1000).toFixed(2)} s = ${rate.toFixed(0)} req/s, p50 ${summary.p50?.toFixed(2)} ms, p99 ${summary.p99?.toFixed(2)} ms`);
    return [
      metric('rpc.count', `rpc requests (window ${window})`, '', count, 'none'),
      metric('rpc.rate', 'system-presence req/s, one connection', '/s', rate, 'higher'),
      metric('rpc.p50', 'rpc p50', 'ms', summary.p50, 'lower'),
      metric('rpc.p99', 'rpc p99', 'ms', summary.p99, 'lower'),
      metric('rpc.failed', 'rpc failed', '', failed + (count - done), 'lower'),
    ];
  } finally {
    await client.close();
  }
}
