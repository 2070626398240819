/**
 * handshake: full handshakes (open → challenge → connect → hello-ok → close), first one at a time,
 * then from C concurrent workers, each phase for a fixed duration (capped at a count).
 * Latency is open → hello-ok; throughput counts complete cycles including the close.
 */
import { performance } from 'node:perf_hooks';
import { connect, ConnectFailure } from '../client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { summarize } from '../stats.js';

interface Phase {
  readonly latencies: number[];
  readonly failures: Map<string, number>;
  readonly elapsedMs: number;
}

async function phase(ctx: ScenarioContext, workers: number): Promise<Phase> {
  const { url, token } = ctx.target;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const started = performance.now();
  const deadline = started + ctx.sizes.handshakeSeconds * 1000;
  let budget = ctx.sizes.handshakeMax;
  const worker = async (): Promise<void> => {
    while (budget > 0 && performance.now() < deadline) {
      budget -= 1;
      const t0 = performance.now();
      try {
        const client = await connect({ url, token, timeoutMs: 10_000 });
        latencies.push(performance.now() - t0);
        await client.close();
      } catch (error) {
        const reason = error instanceof ConnectFailure ? error.reason : 'ERROR';
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { latencies, failures, elapsedMs: performance.now() - started };
}

function describe(failures: Map<string, number>): string {
  return [...failures].map(([reason, count]) => `${count}× ${reason}`).join(', ');
}

/** Reports handshakes/s and open→hello-ok p50/p99, sequential and concurrent. */
export async function runHandshake(ctx: ScenarioContext): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const concurrency = ctx.sizes.handshakeConcurrency;
  for (const [key, label, workers] of [['seq', 'sequential', 1], ['conc', `${concurrency} concurrent`, concurrency]] as const) {
    const result = await phase(ctx, workers);
    const summary = summarize(result.latencies);
    const rate = (result.latencies.length / result.elapsedMs) * 1000;
    ctx.log(`handshake ${label}: ${result.latencies.length} in ${(result.elapsedMs / 1000).toFixed(1)} s = ${rate.toFixed(0)}/s, p50 ${summary.p50?.toFixed(2)} ms, p99 ${summary.p99?.toFixed(2)} ms`);
    if (result.failures.size > 0) ctx.note(`handshake ${label}: failures ${describe(result.failures)}`);
    const failed = [...result.failures.values()].reduce((a, b) => a + b, 0);
    metrics.push(
      metric(`handshake.${key}.rate`, `handshakes/s, ${label}`, '/s', rate, 'higher'),
      metric(`handshake.${key}.p50`, `handshake p50, ${label}`, 'ms', summary.p50, 'lower'),
      metric(`handshake.${key}.p99`, `handshake p99, ${label}`, 'ms', summary.p99, 'lower'),
      metric(`handshake.${key}.failed`, `handshakes failed, ${label}`, '', failed, 'lower'),
    );
  }
  return metrics;
}
