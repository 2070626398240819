/**
 * fanout: K clients with `operator.read` listen; an admin connection calls `system-event`, which
 * makes the gateway broadcast a `presence` roster to everyone. For each client we take the time
 * from sending the request to receiving the first frame whose roster carries this round's text.
 * Listeners match raw bytes and never JSON.parse, so the client side adds microseconds, not the
 * cost of parsing K rosters on one event loop.
 */
import { performance } from 'node:perf_hooks';
import { connect, ConnectFailure, type BenchClient } from '../client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { pool, sleep, summarize } from '../stats.js';

const ROUND_TIMEOUT_MS = 5_000;
const PAUSE_BETWEEN_ROUNDS_MS = 50;
const CONNECT_CONCURRENCY = 32;
const EVENT_PREFIX = Buffer.from('{"type":"event"');

interface Round {
  marker: Buffer;
  sentAt: number;
  /** Arrival times (performance.now()), NaN until the client has seen the roster. */
  readonly arrivals: Float64Array;
  remaining: number;
  onComplete: () => void;
}

/** Reports send → presence-received latency across K clients: p50/p99/max over all rounds. */
export async function runFanout(ctx: ScenarioContext): Promise<Metric[]> {
  const { fanoutClients: count, fanoutRounds: rounds } = ctx.sizes;
  const { url, token } = ctx.target;
  let current: Round | undefined;
  const listeners: BenchClient[] = [];
  const failures = new Map<string, number>();
  let admin: BenchClient | undefined;
  try {
    const started = performance.now();
    await pool(count, CONNECT_CONCURRENCY, async (index) => {
      try {
        listeners.push(await connect({
          url, token, scopes: ['operator.read'], timeoutMs: 20_000,
          onRaw: (data) => {
            const round = current;
            if (round !== undefined && Number.isNaN(round.arrivals[index]) && data.indexOf(round.marker) >= 0) {
              round.arrivals[index] = performance.now();
              round.remaining -= 1;
              if (round.remaining === 0) round.onComplete();
            }
            return true;
          },
        }));
      } catch (error) {
        const reason = error instanceof ConnectFailure ? error.reason : 'ERROR';
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    });
    ctx.log(`fanout: ${listeners.length}/${count} listeners connected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (failures.size > 0) ctx.note(`fanout: listeners refused: ${[...failures].map(([r, n]) => `${n}× ${r}`).join(', ')}`);
    admin = await connect({ url, token, onRaw: (data) => data.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) === 0 });

    const latencies: number[] = [];
    let missed = 0;
    // Round 0 warms up the broadcast path and is not counted.
    for (let i = 0; i <= rounds; i += 1) {
      const arrivals = new Float64Array(count).fill(Number.NaN);
      const connected = listeners.filter((client) => !client.isClosed).length;
      let resolveRound = (): void => undefined;
      const complete = new Promise<void>((resolve) => (resolveRound = resolve));
      const round: Round = { marker: Buffer.from(`"bench ${i}"`), sentAt: 0, arrivals, remaining: connected, onComplete: resolveRound };
      current = round;
      round.sentAt = performance.now();
      // Handled at once (not after the race) so an early rejection is never "unhandled".
      const reply = admin.call('system-event', { text: `bench ${i}`, instanceId: 'bench-fanout' }).then(() => undefined, (error: unknown) => error);
      await Promise.race([reply.then((error) => (error === undefined ? complete : undefined)), sleep(ROUND_TIMEOUT_MS)]);
      const failure = await reply;
      if (failure !== undefined) {
        const reason = failure instanceof Error ? failure.message : String(failure);
        throw new Error(`system-event failed in round ${i}: ${reason}`, { cause: failure });
      }
      current = undefined;
      if (i === 0) continue;
      for (const arrival of arrivals) if (!Number.isNaN(arrival)) latencies.push(arrival - round.sentAt);
      missed += round.remaining;
      await sleep(PAUSE_BETWEEN_ROUNDS_MS);
    }
    const summary = summarize(latencies);
    ctx.log(`fanout: ${rounds} rounds × ${listeners.length} clients: p50 ${summary.p50?.toFixed(2)} ms, p99 ${summary.p99?.toFixed(2)} ms, max ${summary.max?.toFixed(2)} ms, missed ${missed}`);
    if (missed > 0) ctx.note(`fanout: ${missed} deliveries not seen within ${ROUND_TIMEOUT_MS / 1000} s of their round`);
    return [
      metric('fanout.clients', `fanout listeners connected (of ${count})`, '', listeners.length, 'none'),
      metric('fanout.p50', `presence fan-out p50 (${rounds} rounds)`, 'ms', summary.p50, 'lower'),
      metric('fanout.p99', 'presence fan-out p99', 'ms', summary.p99, 'lower'),
      metric('fanout.max', 'presence fan-out max', 'ms', summary.max, 'lower'),
      metric('fanout.missed', 'presence deliveries missed', '', missed, 'lower'),
    ];
  } finally {
    current = undefined;
    for (const client of listeners) client.terminate();
    await admin?.close();
  }
}
