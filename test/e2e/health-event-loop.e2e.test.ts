/**
 * Event-loop figures of the health snapshot (issue 12, "What a new user hits" 6): on an idle
 * gateway `utilization` and `cpuCoreRatio` are small ratios over `intervalMs` (a full window),
 * also for two snapshots asked back to back; never 1.
 */
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';

const { pool } = useSharedGateway();

interface Loop { intervalMs: number; utilization: number; cpuCoreRatio: number; delayP99Ms: number }

describe('health eventLoop on an idle gateway', () => {
  it('measures utilization and CPU over the interval it names, for back-to-back snapshots too', async () => {
    const { client } = await pool.connect();
    const loop = async () => ((await client.call('health')).payload as { eventLoop: Loop }).eventLoop;
    // Wait until the snapshot covers a full window (the first one after start-up is shorter).
    await expect.poll(async () => (await loop()).intervalMs, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(900);
    const [first, second, third] = [await loop(), await loop(), await loop()];
    for (const sample of [first, second, third]) {
      expect(sample.intervalMs).toBeGreaterThanOrEqual(900);
      expect(sample.utilization).toBeLessThan(0.5);
      expect(sample.cpuCoreRatio).toBeLessThan(0.5);
    }
  });
});
