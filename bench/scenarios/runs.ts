/**
 * runs: agent turns on the gateway's default agent, `sizes.runsConcurrency` in flight over a few
 * connections, for `sizes.runsCount` runs (each its own session, so none queue behind another).
 * A fresh gateway answers with the built-in offline provider, so this measures the run machinery
 * (journal, actors, events, two-stage replies), not a model. Per run: request → ack, → first
 * `assistant` delta, → final.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connect, type BenchClient } from '../client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { pool, summarize } from '../stats.js';

const CONNECTIONS = 4;
const DEADLINE_MS = 120_000;
const PROBE_TIMEOUT_MS = 30_000;

interface Timing {
  readonly started: number;
  firstDelta?: number;
  resolve: (final: { ok: boolean; status: unknown }) => void;
}

/** Reports runs/s and the latency of ack, first delta and final over `sizes.runsCount` runs. */
export async function runRuns(ctx: ScenarioContext): Promise<Metric[]> {
  const { runsCount: count, runsConcurrency: concurrency } = ctx.sizes;
  const timings = new Map<string, Timing>();
  // Frames are read here first: `agent` events and finals (the client resolves only the ack).
  const onRaw = (data: Buffer): boolean => {
    if (data.indexOf('"runId"') < 0) return false;
    const frame = JSON.parse(data.toString('utf8')) as { type?: string; event?: string; ok?: boolean; payload?: { runId?: string; status?: unknown; stream?: string } };
    const runId = frame.payload?.runId;
    const timing = runId === undefined ? undefined : timings.get(runId);
    if (!timing || runId === undefined) return false;
    if (frame.type === 'event') {
      if (frame.event === 'agent' && frame.payload?.stream === 'assistant') timing.firstDelta ??= performance.now();
      return true;
    }
    if (frame.type === 'res' && frame.payload?.status !== 'accepted') {
      timings.delete(runId);
      timing.resolve({ ok: frame.ok === true, status: frame.payload?.status });
      return true;
    }
    return false;
  };
  const clients: BenchClient[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i += 1) clients.push(await connect({ url: ctx.target.url, token: ctx.target.token, onRaw }));
    const runOne = async (index: number, timeoutMs: number) => {
      const runId = `bench-${randomUUID()}`;
      const client = clients[index % clients.length] as BenchClient;
      const started = performance.now();
      let timing: Timing | undefined;
      const final = new Promise<{ ok: boolean; status: unknown }>((resolve) => {
        timing = { started, resolve };
        timings.set(runId, timing);
      });
      await client.request('agent', { message: `bench run ${index}`, idempotencyKey: runId, sessionKey: `bench-${index % concurrency}-${runId}` });
      const acked = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([final, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)))]);
      clearTimeout(timer);
      timings.delete(runId);
      return { outcome, timing: { started, acked, firstDelta: timing?.firstDelta, ended: performance.now() } };
    };
    const probe = await runOne(0, PROBE_TIMEOUT_MS).catch((error: unknown) => ({ outcome: null, timing: null, error }));
    if (!probe.outcome || !probe.outcome.ok || probe.outcome.status !== 'ok') {
      ctx.note(`runs: ${ctx.target.name} could not complete an agent turn (${'error' in probe ? String(probe.error) : JSON.stringify(probe.outcome)}); no model provider?`);
      return [metric('runs.rate', 'agent runs/s (offline provider)', '/s', null, 'higher')];
    }
    const acks: number[] = [];
    const firstDeltas: number[] = [];
    const totals: number[] = [];
    let failed = 0;
    let firstError: unknown;
    const began = performance.now();
    const deadline = began + DEADLINE_MS;
    await pool(count, concurrency, async (index) => {
      if (performance.now() > deadline) {
        failed += 1;
        return;
      }
      try {
        const { outcome, timing } = await runOne(index, Math.max(1, deadline - performance.now()));
        if (!outcome?.ok || outcome.status !== 'ok') {
          failed += 1;
          firstError ??= outcome ? `status ${String(outcome.status)}` : 'no final before the deadline';
          return;
        }
        acks.push(timing.acked - timing.started);
        if (timing.firstDelta !== undefined) firstDeltas.push(timing.firstDelta - timing.started);
        totals.push(timing.ended - timing.started);
      } catch (error) {
        failed += 1;
        firstError ??= error;
      }
    });
    const elapsedMs = performance.now() - began;
    const rate = (totals.length / elapsedMs) * 1000;
    const ack = summarize(acks);
    const first = summarize(firstDeltas);
    const total = summarize(totals);
    if (failed > 0) ctx.note(`runs: ${failed} of ${count} failed, first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
    ctx.log(`runs: ${totals.length} in ${(elapsedMs / 1000).toFixed(2)} s = ${rate.toFixed(0)} runs/s; first delta p50 ${first.p50?.toFixed(2)} ms p99 ${first.p99?.toFixed(2)} ms`);
    return [
      metric('runs.count', `agent runs (${concurrency} in flight, offline provider)`, '', count, 'none'),
      metric('runs.rate', 'agent runs/s', '/s', rate, 'higher'),
      metric('runs.ack.p50', 'run ack p50', 'ms', ack.p50, 'lower'),
      metric('runs.first-delta.p50', 'time to first delta p50', 'ms', first.p50, 'lower'),
      metric('runs.first-delta.p99', 'time to first delta p99', 'ms', first.p99, 'lower'),
      metric('runs.total.p50', 'run to final p50', 'ms', total.p50, 'lower'),
      metric('runs.total.p99', 'run to final p99', 'ms', total.p99, 'lower'),
      metric('runs.failed', 'runs failed', '', failed, 'lower'),
    ];
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
