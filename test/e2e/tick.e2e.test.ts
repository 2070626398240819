/**
 * Keepalive `tick` events (PROTOCOL.md §1, §6): sent at least every advertised
 * `policy.tickIntervalMs` (OPENCLAW_TICK_INTERVAL_MS overrides the 30 s default), to every
 * authenticated socket, scope-less ones included.
 */
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import type { RawClient } from '../helpers/raw-client.js';

const TICK_MS = 200;
const TICKS = 5;

const { gateway, pool } = useSharedGateway({ env: { OPENCLAW_TICK_INTERVAL_MS: String(TICK_MS) } });

/** Arrival times of the next `count` ticks, measured from `start`. */
async function tickArrivals(client: RawClient, count: number, start: number): Promise<number[]> {
  const arrivals: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const tick = await client.event('tick', TICK_MS * 5);
    expect(tick).toEqual({ type: 'event', event: 'tick', payload: { ts: expect.any(Number) } });
    arrivals.push(Date.now() - start);
  }
  return arrivals;
}

describe('tick', () => {
  it('advertises the tick interval in hello-ok policy', async () => {
    const { hello } = await pool.connect();
    expect(hello.policy.tickIntervalMs).toBe(TICK_MS);
  });

  it('sends tick {ts} at least every tickIntervalMs', async () => {
    const start = Date.now();
    const { client } = await pool.connect();
    const arrivals = await tickArrivals(client, TICKS, start);
    // Timers may fire a little late on a loaded machine; the reference client only gives up at 2×.
    const gaps = [arrivals[0] as number, ...arrivals.slice(1).map((t, i) => t - (arrivals[i] as number))];
    for (const gap of gaps) expect(gap).toBeLessThan(TICK_MS * 1.5);
    expect((arrivals.at(-1) as number) / TICKS).toBeLessThanOrEqual(TICK_MS + 40);
  });

  it('sends ticks to scope-less sockets too', async () => {
    const start = Date.now();
    const { client } = await pool.connect({ scopes: [] });
    const arrivals = await tickArrivals(client, 2, start);
    expect(arrivals[1] as number).toBeLessThan(TICK_MS * 3);
  });

  it('sends no tick before the handshake completes', async () => {
    const raw = await pool.open();
    await raw.event('connect.challenge');
    const { client: witness } = await pool.connect();
    await witness.event('tick', TICK_MS * 5);
    await witness.event('tick', TICK_MS * 5);
    expect(raw.log.map((f) => f.event)).toEqual(['connect.challenge']);
  });
});
