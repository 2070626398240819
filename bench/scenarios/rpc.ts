/**
 * rpc: one connection, `system-presence` requests pipelined with a fixed window in flight,
 * for a fixed count (bounded by a deadline). Latency is send → response.
 */
import { connect } from '../client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { runWindowed } from '../windowed.js';

const WARMUP = 200;
const DEADLINE_MS = 60_000;

/** Reports requests/s and p50/p99 latency over `sizes.rpcCount` pipelined requests. */
export async function runRpc(ctx: ScenarioContext): Promise<Metric[]> {
  const { rpcCount: count, rpcWindow: window } = ctx.sizes;
  const client = await connect({ url: ctx.target.url, token: ctx.target.token });
  try {
    for (let i = 0; i < WARMUP; i += 1) await client.call('system-presence');
    const { rate, p50, p99, done, failed, firstError, elapsedMs, ok } = await runWindowed({
      count, window, deadlineMs: DEADLINE_MS, isClosed: () => client.isClosed, call: () => client.call('system-presence'),
    });
    if (done < count) ctx.note(`rpc: only ${done} of ${count} requests completed within ${DEADLINE_MS / 1000} s`);
    if (failed > 0) ctx.note(`rpc: ${failed} requests failed, first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
    ctx.log(`rpc: ${ok} in ${(elapsedMs / 1000).toFixed(2)} s = ${rate.toFixed(0)} req/s, p50 ${p50?.toFixed(2)} ms, p99 ${p99?.toFixed(2)} ms`);
    return [
      metric('rpc.count', `rpc requests (window ${window})`, '', count, 'none'),
      metric('rpc.rate', 'system-presence req/s, one connection', '/s', rate, 'higher'),
      metric('rpc.p50', 'rpc p50', 'ms', p50, 'lower'),
      metric('rpc.p99', 'rpc p99', 'ms', p99, 'lower'),
      metric('rpc.failed', 'rpc failed', '', failed + (count - done), 'lower'),
    ];
  } finally {
    await client.close();
  }
}
