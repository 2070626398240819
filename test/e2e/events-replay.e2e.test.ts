/**
 * `events.replay`: the journaled broadcast events after a seq, exactly as live clients got them
 * (same seq, stateVersion and payload), paged with `limit` / `hasMore`.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { TEST_CLIENT } from '../helpers/client-pool.js';
import type { Frame, RawClient } from '../helpers/raw-client.js';

const { gateway, pool } = useSharedGateway();

interface Replay {
  events: Frame[];
  lastSeq: number;
  hasMore: boolean;
}

async function replay(client: RawClient, params: Record<string, unknown>): Promise<Replay> {
  const res = await client.call('events.replay', params);
  expect(res).toMatchObject({ ok: true });
  return res.payload as Replay;
}

/** Makes presence traffic: a tracked client comes and goes, and `count` system-events. */
async function makeTraffic(admin: RawClient, count: number): Promise<void> {
  const instanceId = `inst-${randomUUID()}`;
  const { client: tracked } = await pool.connect({ client: { ...TEST_CLIENT, instanceId }, scopes: [] });
  tracked.close();
  for (let i = 0; i < count; i += 1) await admin.call('system-event', { text: `replay ${i} ${randomUUID()}` });
  await admin.seen((f) => f.event === 'presence' && (f.payload as { presence: Array<{ instanceId?: string; reason?: string }> }).presence.some((r) => r.instanceId === instanceId && r.reason === 'disconnect'));
}

const liveBroadcasts = (client: RawClient) => client.events().filter((f) => f.seq !== undefined);

describe('events.replay', () => {
  it('returns the events after a seq with the same seq, stateVersion and payload the live client got', async () => {
    const { client: admin } = await pool.connect();
    await makeTraffic(admin, 20);
    const texts = Array.from({ length: 20 }, (_, i) => `burst ${i} ${randomUUID()}`);
    // A burst of pipelined calls lands in one group commit: several events per broadcast turn.
    const ids = texts.map((text) => admin.request('system-event', { text }));
    await Promise.all(ids.map((id) => admin.seen((f) => f.type === 'res' && f.id === id)));
    await admin.seen((f) => f.event === 'presence' && (f.payload as { presence: Array<{ text?: string }> }).presence.some((r) => r.text === texts[19]));

    const live = liveBroadcasts(admin);
    expect(live.length).toBeGreaterThanOrEqual(42);
    const first = live[0] as Frame;
    const result = await replay(admin, { afterSeq: (first.seq as number) - 1, limit: 1000 });
    expect(result.events.slice(0, live.length)).toEqual(live);
    expect(result.hasMore).toBe(false);
    expect(result.lastSeq).toBe(result.events.at(-1)?.seq);
  });

  it('pages with limit and hasMore, and returns nothing after lastSeq', async () => {
    const { client: admin } = await pool.connect();
    await makeTraffic(admin, 3);
    const all = await replay(admin, { afterSeq: 0, limit: 1000 });
    expect(all.events[0]).toMatchObject({ type: 'event', event: 'presence', seq: 1 });
    const seqs = all.events.map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    const page = await replay(admin, { afterSeq: 0, limit: 2 });
    expect(page).toEqual({ events: all.events.slice(0, 2), lastSeq: all.lastSeq, hasMore: true });
    const next = await replay(admin, { afterSeq: 2, limit: 2 });
    expect(next.events).toEqual(all.events.slice(2, 4));

    const tail = await replay(admin, { afterSeq: all.lastSeq });
    expect(tail).toEqual({ events: [], lastSeq: all.lastSeq, hasMore: false });
  });

  it('refuses invalid params: INVALID_REQUEST "invalid events.replay params: …"', async () => {
    const { client: admin } = await pool.connect();
    const missing = await admin.call('events.replay', {});
    expect(missing).toEqual({
      type: 'res',
      id: missing.id,
      ok: false,
      error: { code: 'INVALID_REQUEST', message: "invalid events.replay params: must have required property 'afterSeq'" },
    });
    const tooMany = await admin.call('events.replay', { afterSeq: 0, limit: 1001 });
    expect(tooMany).toEqual({
      type: 'res',
      id: tooMany.id,
      ok: false,
      error: { code: 'INVALID_REQUEST', message: 'invalid events.replay params: at /limit: must be <= 1000' },
    });
  });

  it('requires operator.read', async () => {
    const { client } = await pool.connect({ scopes: [] });
    const res = await client.call('events.replay', { afterSeq: 0 });
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { code: 'MISSING_SCOPE', missingScope: 'operator.read' } } });
  });
});
