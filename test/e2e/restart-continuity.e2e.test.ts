/**
 * Restart continuity: the journal outlives the process, so after a graceful stop and a start on
 * the same state dir, broadcast `seq` and `stateVersion.presence` continue upward (no reset).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { presenceVersion, useRestartableGateway } from '../helpers/restartable-gateway.js';
import { TEST_CLIENT } from '../helpers/client-pool.js';
import type { Frame, RawClient } from '../helpers/raw-client.js';

const { pool, start, freshStateDir } = useRestartableGateway();

/** Connects a tracked client and waits until `observer` saw its presence event. */
async function trackedComesAndGoes(observer: RawClient): Promise<Frame> {
  const instanceId = `inst-${randomUUID()}`;
  const { client } = await pool.connect({ client: { ...TEST_CLIENT, instanceId }, scopes: ['operator.read'] });
  const connected = await observer.seen(
    (f) => f.event === 'presence' && (f.payload as { presence: Array<{ instanceId?: string }> }).presence.some((r) => r.instanceId === instanceId),
  );
  client.close();
  return connected;
}

describe('restart continuity', () => {
  it('continues seq and stateVersion.presence after SIGTERM and a start on the same state dir', async () => {
    const stateDir = freshStateDir();
    const first = await start(stateDir);
    const { client: before } = await pool.connect();
    await trackedComesAndGoes(before);
    await trackedComesAndGoes(before);
    const exited = first.stop('SIGTERM');
    await before.waitClosed(10_000);
    expect(await exited).toEqual({ code: 0, signal: null });
    const oldSeqs = before.events().filter((f) => f.seq !== undefined).map((f) => f.seq as number);
    const lastOldSeq = Math.max(...oldSeqs);
    const lastOldPresence = Math.max(...before.events('presence').map(presenceVersion));
    expect(before.events('shutdown')[0]?.seq).toBe(lastOldSeq);

    await start(stateDir);
    const { client: after, hello } = await pool.connect();
    // The restart itself is a presence change (earlier rows are now disconnected).
    expect(hello.snapshot.stateVersion.presence).toBeGreaterThan(lastOldPresence);
    const firstNew = await trackedComesAndGoes(after);
    expect(firstNew.seq as number).toBeGreaterThan(lastOldSeq);
    expect(presenceVersion(firstNew)).toBe(hello.snapshot.stateVersion.presence + 1);
    expect(presenceVersion(firstNew)).toBeGreaterThan(lastOldPresence);

    // The journal has every event since the first boot, with no hole across the restart.
    const res = await after.call('events.replay', { afterSeq: 0, limit: 1000 });
    const seqs = (res.payload as { events: Frame[] }).events.map((f) => f.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs).toContain(lastOldSeq);
    expect(seqs).toContain(firstNew.seq);
  });

  it('keeps the roster across the restart: earlier live rows come back as disconnected', async () => {
    const stateDir = freshStateDir();
    const first = await start(stateDir);
    const instanceId = `inst-${randomUUID()}`;
    const { client: tracked } = await pool.connect({ client: { ...TEST_CLIENT, instanceId }, scopes: ['operator.read'] });
    const beaconText = `before restart ${randomUUID()}`;
    const { client: admin } = await pool.connect();
    expect(await admin.call('system-event', { text: beaconText })).toMatchObject({ ok: true });
    const exited = first.stop('SIGTERM');
    await tracked.waitClosed(10_000);
    expect(await exited).toEqual({ code: 0, signal: null });

    await start(stateDir);
    const { hello } = await pool.connect();
    const roster = hello.snapshot.presence;
    expect(roster[0]).toMatchObject({ reason: 'self' });
    expect(roster.filter((r) => r.reason === 'self')).toHaveLength(1);
    expect(roster).toContainEqual(expect.objectContaining({ instanceId, reason: 'disconnect' }));
    expect(roster).toContainEqual(expect.objectContaining({ text: beaconText }));
  });
});
