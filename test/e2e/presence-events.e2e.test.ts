/**
 * `presence` broadcasts (PROTOCOL.md §3.4, §6, §7): the whole roster plus `stateVersion` after
 * every change, dense `seq` per connection, and redacted rosters for scope-less sockets.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { TEST_CLIENT, type Hello } from '../helpers/client-pool.js';
import type { Frame, RawClient } from '../helpers/raw-client.js';

const { gateway, pool } = useSharedGateway();

type Row = Record<string, unknown>;
const rosterOf = (event: Frame): Row[] => (event.payload as { presence: Row[] }).presence;
const presenceVersion = (event: Frame): number => (event.stateVersion as { presence: number }).presence;

/** A tracked client with a unique instanceId, so its roster row can be found. */
async function connectTracked(): Promise<{ client: RawClient; instanceId: string }> {
  const instanceId = `inst-${randomUUID()}`;
  const { client } = await pool.connect({ client: { ...TEST_CLIENT, displayName: 'e2e-tester', instanceId }, scopes: ['operator.read'] });
  return { client, instanceId };
}

/** Waits until `client` got a presence event whose roster has a row matching `match`. */
const presenceWith = (client: RawClient, match: (row: Row) => boolean) =>
  client.seen((f) => f.type === 'event' && f.event === 'presence' && rosterOf(f).some(match));

/**
 * `stateVersion.presence` the client knew just before `event`: from the previous presence event,
 * or from hello-ok. (A previous test's client may still be disconnecting while this one runs.)
 */
function versionBefore(client: RawClient, event: Frame, hello: Hello): number {
  const presence = client.events('presence');
  const previous = presence[presence.indexOf(event) - 1];
  return previous ? presenceVersion(previous) : hello.snapshot.stateVersion.presence;
}

/** Broadcast events (those with a seq) the client received, in order. */
const broadcasts = (client: RawClient) => client.events().filter((f) => f.seq !== undefined);

describe('presence events', () => {
  it('broadcasts the full roster with a bumped stateVersion when a tracked client connects and disconnects', async () => {
    const { client: observer, hello } = await pool.connect();
    const { client: tracked, instanceId } = await connectTracked();

    const connected = await presenceWith(observer, (row) => row.instanceId === instanceId);
    const roster = rosterOf(connected);
    expect(roster[0]).toMatchObject({ mode: 'gateway', reason: 'self' });
    expect(roster.find((row) => row.instanceId === instanceId)).toMatchObject({
      mode: 'test',
      host: 'e2e-tester',
      version: 'e2e',
      platform: 'linux',
      instanceId,
      roles: ['operator'],
      scopes: ['operator.read'],
      reason: 'connect',
      onlineSince: expect.any(Number),
      ts: expect.any(Number),
      text: expect.any(String),
    });
    expect(connected.stateVersion).toEqual({ presence: versionBefore(observer, connected, hello) + 1, health: expect.any(Number) });

    tracked.close();
    const disconnected = await presenceWith(observer, (row) => row.instanceId === instanceId && row.reason === 'disconnect');
    expect(rosterOf(disconnected)[0]).toMatchObject({ reason: 'self' });
    expect(presenceVersion(disconnected)).toBe(versionBefore(observer, disconnected, hello) + 1);
    expect(presenceVersion(disconnected)).toBeGreaterThan(presenceVersion(connected));
    expect(disconnected.seq as number).toBeGreaterThan(connected.seq as number);
  });

  // PROTOCOL.md §7 saw `clientId` on a live server, but the official PresenceEntry schema is closed
  // without it (and hello-ok's snapshot must validate), so rows carry mode and roles instead.
  it('describes a tracked client row by mode, roles and instance, within the official schema', async () => {
    const { client: observer } = await pool.connect();
    const { instanceId } = await connectTracked();
    const connected = await presenceWith(observer, (row) => row.instanceId === instanceId);
    const row = rosterOf(connected).find((r) => r.instanceId === instanceId);
    expect(row).toMatchObject({ mode: 'test', roles: ['operator'], reason: 'connect' });
    expect(row).not.toHaveProperty('clientId');
  });

  it('does not track cli clients', async () => {
    const { client: observer } = await pool.connect();
    const { hello: cliHello } = await pool.connect();
    // A system-event from the observer is a marker: every event before it has been delivered.
    const marker = `marker ${randomUUID()}`;
    await observer.call('system-event', { text: marker });
    await presenceWith(observer, (row) => row.text === marker);
    const roster = rosterOf(observer.events('presence').at(-1) as Frame);
    expect(roster.some((row) => row.mode === 'cli')).toBe(false);
    expect(cliHello.snapshot.presence.some((row) => row.mode === 'cli')).toBe(false);
  });

  it('broadcasts the roster with the beacon after a system-event', async () => {
    const { client: observer, hello } = await pool.connect();
    const text = `beacon ${randomUUID()}`;
    const res = await observer.call('system-event', { text, host: 'beacon-host' });
    expect(res).toMatchObject({ ok: true, payload: { ok: true } });
    const event = await presenceWith(observer, (row) => row.text === text);
    expect(rosterOf(event)).toContainEqual(expect.objectContaining({ text, host: 'beacon-host' }));
    expect(presenceVersion(event)).toBe(versionBefore(observer, event, hello) + 1);
  });

  it('numbers broadcast events densely on each connection', async () => {
    const { client: observer } = await pool.connect();
    for (let i = 0; i < 3; i += 1) {
      const { client: tracked, instanceId } = await connectTracked();
      await presenceWith(observer, (row) => row.instanceId === instanceId);
      tracked.close();
      await presenceWith(observer, (row) => row.instanceId === instanceId && row.reason === 'disconnect');
      const text = `dense ${i} ${randomUUID()}`;
      await observer.call('system-event', { text });
      await presenceWith(observer, (row) => row.text === text);
    }
    const seqs = broadcasts(observer).map((f) => f.seq as number);
    expect(seqs.length).toBeGreaterThanOrEqual(9);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    // stateVersion.presence rises by one per presence event.
    const versions = observer.events('presence').map(presenceVersion);
    expect(versions).toEqual(versions.map((_, i) => (versions[0] as number) + i));
  });

  it('gives a scope-less client an empty snapshot roster and empty presence events, with dense seq', async () => {
    const { client: scopeless, hello } = await pool.connect({ scopes: [] });
    expect(hello.snapshot.presence).toEqual([]);
    expect(hello.auth.scopes).toEqual([]);
    const { client: admin } = await pool.connect();
    const texts: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const text = `scopeless ${i} ${randomUUID()}`;
      texts.push(text);
      await admin.call('system-event', { text });
    }
    await presenceWith(admin, (row) => row.text === texts[2]);
    // The admin saw three presence events after connecting; the scope-less socket sees them too, redacted.
    const adminSeqs = broadcasts(admin).map((f) => f.seq);
    await scopeless.seen((f) => f.type === 'event' && f.seq === adminSeqs.at(-1));
    const events = broadcasts(scopeless);
    for (const event of events.filter((f) => f.event === 'presence')) {
      expect(event.payload).toEqual({ presence: [] });
      expect(event.stateVersion).toEqual({ presence: expect.any(Number), health: expect.any(Number) });
    }
    const seqs = events.map((f) => f.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    expect(seqs.slice(-3)).toEqual(adminSeqs.slice(-3));
  });

  it('puts the current roster and stateVersion in hello-ok', async () => {
    const { client: admin } = await pool.connect();
    const text = `snapshot ${randomUUID()}`;
    await admin.call('system-event', { text });
    const event = await presenceWith(admin, (row) => row.text === text);
    const { hello } = await pool.connect();
    expect(hello.snapshot.presence[0]).toMatchObject({ reason: 'self' });
    expect(hello.snapshot.presence).toContainEqual(expect.objectContaining({ text }));
    expect(hello.snapshot.stateVersion.presence).toBeGreaterThanOrEqual(presenceVersion(event));
  });
});
