/**
 * Slow consumers (PROTOCOL.md §3.4): a socket that stops reading while more than
 * `policy.maxBufferedBytes` (50 MiB) is queued for it loses droppable events (`presence`; seq
 * still advances) and is closed 1008 "slow consumer" when a non-droppable frame (here a `tick`)
 * is due.
 *
 * Cheap set-up: the slow client pauses its TCP socket (`ws._socket.pause()`), so the kernel buffers
 * fill and the gateway queues the rest. A writer sends 8–16 MiB beacons one at a time (reading each
 * answer, so it never falls behind itself): every presence event then carries a roster that big.
 * A scope-less observer, whose presence events carry an empty roster, tells the test what the
 * gateway has broadcast without moving megabytes itself.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { ClientPool, params } from '../helpers/client-pool.js';
import type { Frame, RawClient } from '../helpers/raw-client.js';

const MiB = 1024 * 1024;
/**
 * Drop test: 10 × 8 MiB = 80 MiB, past the 50 MiB limit after the kernel's socket buffers (a few
 * MiB for a socket that never read much) took their share, with beacons left to be skipped.
 */
const BIG_BEACONS = 10;
const BIG_TEXT_BYTES = 8 * MiB;
/**
 * Close test: 4 × 16 MiB. Three (48 MiB) stay under the limit, the fourth crosses it, so the
 * close comes with the next tick, right before the test resumes reading. (uWS gives a closed
 * socket about 4 s to take its close frame; a close during the beacons could outlast that on a
 * loaded machine and end as 1006.)
 */
const CLOSE_BEACONS = 4;
const CLOSE_TEXT_BYTES = 16 * MiB;
/** How long the slow reader of the grace test waits: longer than uWS's close timeout (≤ 4 s). */
const SLOW_READER_DELAY_MS = 5000;

let gateway: GatewayProcess | undefined;
const pool = new ClientPool(() => gateway?.url ?? '');

// A gateway per test: an ~8 MiB roster row would otherwise ride along in every later event.
afterEach(async () => {
  pool.closeAll();
  await gateway?.stop('SIGKILL');
  gateway?.cleanup();
  gateway = undefined;
});

const tcp = (client: RawClient): Socket => (client.ws as unknown as { _socket: Socket })._socket;
const broadcastSeqs = (client: RawClient) => client.events().filter((f) => f.seq !== undefined).map((f) => f.seq as number);

/** Waits until `observer` has received at least `count` presence events. */
const presenceCount = (observer: RawClient, count: number) =>
  observer.seen(() => observer.events('presence').length >= count, 10_000);

/** Sends `count` big beacons one by one from `writer` (same key, so the roster stays one beacon big). */
async function sendBigBeacons(writer: RawClient, count: number, bytes: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const text = `big ${i} ${'x'.repeat(bytes)}`;
    // The presence event is broadcast before the response (commit, then ack), so the writer has read it too.
    expect(await writer.call('system-event', { text, instanceId: 'slow-consumer-big' }, 20_000)).toMatchObject({ ok: true });
  }
}

/**
 * Connects the observer (scope-less), the writer (admin) and the slow client (read), and pauses
 * the slow one. The slow client leaves big frames unparsed, so that once it reads again it drains
 * its backlog fast: a sender (uWS) may give up on a close handshake that waits too long.
 */
async function cast(): Promise<{ observer: RawClient; writer: RawClient; slow: RawClient }> {
  const { client: observer } = await pool.connect({ scopes: [] });
  const { client: writer } = await pool.connect();
  const slow = await pool.open({ parseUpTo: 64 * 1024 });
  await slow.event('connect.challenge');
  expect(await slow.call('connect', params({ scopes: ['operator.read'] }))).toMatchObject({ ok: true });
  tcp(slow).pause();
  return { observer, writer, slow };
}

/** Big presence events the slow client received (left unparsed). */
const bigFrames = (slow: RawClient) => slow.log.filter((f) => f.type === 'unparsed');

/**
 * Starts a gateway ticking every 100 ms, backlogs the paused socket past the limit with big
 * beacons, and returns once a tick was due on it. Ticks go to every socket in one pass: the first
 * tick the observer gets after the last beacon was also due on the backlogged socket.
 */
async function backlogUntilTickDue(): Promise<Awaited<ReturnType<typeof cast>>> {
  gateway = await startGatewayProcess({ env: { OPENCLAW_TICK_INTERVAL_MS: '100' } });
  const sockets = await cast();
  const { observer, writer } = sockets;
  await sendBigBeacons(writer, CLOSE_BEACONS, CLOSE_TEXT_BYTES);
  await presenceCount(observer, CLOSE_BEACONS);
  const lastPresence = observer.events('presence').at(-1) as Frame;
  await observer.seen((f) => f.event === 'tick' && observer.log.indexOf(f) > observer.log.indexOf(lastPresence), 10_000);
  return sockets;
}

describe('slow consumer', () => {
  it('closes a socket with >50 MiB queued with 1008 "slow consumer" when a tick is due', async () => {
    const { observer, writer, slow } = await backlogUntilTickDue();

    tcp(slow).resume();
    expect(await slow.waitClosed(15_000)).toEqual({ code: 1008, reason: 'slow consumer' });
    // The slow socket got some of the big events before it was cut off, never all of them.
    expect(bigFrames(slow).length).toBeGreaterThan(0);
    expect(bigFrames(slow).length).toBeLessThanOrEqual(CLOSE_BEACONS);
    // Everyone else is unaffected.
    expect(observer.closed).toBeNull();
    expect(await writer.call('health')).toMatchObject({ ok: true });
  });

  it('still delivers the 1008 close frame to a slow consumer that takes 5 s to start reading', async () => {
    // A real slow consumer is slow to drain too. `ws` waits 30 s for the close handshake; the
    // close frame must not be lost (1006) because the client took a few seconds to get to it.
    const { observer, writer, slow } = await backlogUntilTickDue();

    // Not a wait for a condition: being slow is the point.
    await new Promise((resolve) => setTimeout(resolve, SLOW_READER_DELAY_MS));
    tcp(slow).resume();
    expect(await slow.waitClosed(15_000)).toEqual({ code: 1008, reason: 'slow consumer' });
    expect(bigFrames(slow).length).toBe(CLOSE_BEACONS);
  });

  it('skips presence events for a backlogged socket but keeps counting seq, and keeps the socket open', async () => {
    gateway = await startGatewayProcess(); // ticks every 30 s: nothing non-droppable is due meanwhile
    const { observer, writer, slow } = await cast();
    await sendBigBeacons(writer, BIG_BEACONS, BIG_TEXT_BYTES);
    await presenceCount(observer, BIG_BEACONS);

    tcp(slow).resume();
    // Small beacons (same key: the roster shrinks again) until one reaches the slow socket; the
    // first ones may still meet a backlog that is draining, and be skipped as well.
    let last: Frame | undefined;
    let markers = 0;
    while (!last && markers < 40) {
      const marker = `slow-consumer marker ${markers}`;
      markers += 1;
      expect(await writer.call('system-event', { text: marker, instanceId: 'slow-consumer-big' })).toMatchObject({ ok: true });
      last = await slow
        .seen((f) => f.event === 'presence' && (f.payload as { presence: Array<{ text?: string }> }).presence.some((r) => r.text === marker), 500)
        .catch(() => undefined);
    }
    if (!last) throw new Error('no presence event reached the slow socket after it resumed reading');
    await presenceCount(observer, BIG_BEACONS + markers);
    const observed = broadcastSeqs(observer);
    expect(observed).toHaveLength(BIG_BEACONS + markers);
    expect(last.seq).toBe(observed.at(-1));
    expect(last.stateVersion).toEqual(observer.events('presence').at(-1)?.stateVersion);
    // Some big presence events reached the slow socket and some were skipped, so it sees a forward
    // gap: fewer events than the observer, yet the same seq at the end.
    expect(bigFrames(slow).length).toBeGreaterThan(0);
    expect(bigFrames(slow).length).toBeLessThan(BIG_BEACONS);
    expect(bigFrames(slow).length + slow.events('presence').length).toBeLessThan(observed.length);
    const seqs = broadcastSeqs(slow);
    expect(seqs.every((seq) => observed.includes(seq))).toBe(true);
    expect(slow.closed).toBeNull();
    expect(await slow.call('health')).toMatchObject({ ok: true });
  });
});
