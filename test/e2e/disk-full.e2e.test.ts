/**
 * Disk-full and read-only journals (a real tmpfs, real ENOSPC/EROFS): no request is acknowledged
 * unless its fact is in the journal afterwards, requests get UNAVAILABLE while the disk refuses
 * writes (no hang, no crash), the gateway recovers by itself, and it starts on a full disk. A file
 * system the kernel turns read-only under the running gateway (ext4 errors=remount-ro, EROFS).
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type RawClient } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/cli-process.js';
import { execFileSync } from 'node:child_process';
import { ReadOnlyOnErrorDisk, SmallDisk, readJournal } from '../helpers/small-disk.js';

const disk = new SmallDisk(8);
afterAll(() => disk.unmount());

let running: GatewayProcess[] = [];
let clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  const stopped = running.splice(0);
  for (const gateway of stopped) await gateway.stop('SIGKILL');
  disk.reset(stopped.map((gateway) => gateway.stateDir));
});

let dirs = 0;
async function start(stateDir = join(disk.dir, `state-${(dirs += 1)}`)): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ stateDir });
  running.push(gateway);
  return gateway;
}
async function connect(gateway: GatewayProcess): Promise<RawClient> {
  const { client } = await connectClient(gateway.url);
  clients.push(client);
  return client;
}

const journalOf = (gateway: GatewayProcess) => join(gateway.stateDir, 'journal.sqlite');
const gatewayPosition = (gateway: GatewayProcess) =>
  readJournal(journalOf(gateway), (db) => (db.prepare("SELECT COALESCE(MAX(position), 0) AS p FROM journal WHERE stream = 'gateway'").get() as { p: number }).p);
const journaledTexts = (gateway: GatewayProcess): Set<string> =>
  readJournal(journalOf(gateway), (db) => new Set(
    (db.prepare("SELECT data FROM journal WHERE type = 'presence.beaconed'").all() as Array<{ data: string }>).map(
      (row) => (JSON.parse(row.data) as { entry: { text?: string } }).entry.text ?? '',
    ),
  ));

/** Sends `count` system-events (pipelined in batches) and returns each outcome by text. */
async function sendEvents(client: RawClient, prefix: string, count: number, textBytes = 64, batchSize = 50): Promise<Map<string, string>> {
  const outcomes = new Map<string, string>();
  for (let from = 0; from < count; from += batchSize) {
    const batch = [];
    for (let i = from; i < Math.min(count, from + batchSize); i += 1) {
      const text = `${prefix}-${i}-${'x'.repeat(textBytes)}`;
      batch.push(client.call('system-event', { text, instanceId: `${prefix}-${i}`, idempotencyKey: `${prefix}-${i}` }, 10_000).then((res) => {
        const error = res.error as { code?: string; retryable?: boolean; details?: { code?: string } } | undefined;
        const refused = error?.code === 'UNAVAILABLE' && error.retryable === true && error.details?.code === 'JOURNAL_UNAVAILABLE';
        outcomes.set(text, res.ok === true ? 'ok' : refused ? 'UNAVAILABLE' : JSON.stringify(error));
      }));
    }
    await Promise.all(batch);
  }
  return outcomes;
}

function expectAcknowledgedJournaled(gateway: GatewayProcess, outcomes: Map<string, string>): void {
  const journaled = journaledTexts(gateway);
  for (const [text, outcome] of outcomes) {
    expect(['ok', 'UNAVAILABLE']).toContain(outcome);
    if (outcome === 'ok') expect(journaled.has(text), `acknowledged but not journaled: ${text.slice(0, 20)}`).toBe(true);
  }
}

describe('a full disk', () => {
  it('a checkpoint that cannot be written is logged and retried, never fatal', async () => {
    const gateway = await start();
    const client = await connect(gateway);
    // Up to just short of the 1000-fact checkpoint in few commits, so the WAL is still growing.
    await sendEvents(client, 'warm', 999 - gatewayPosition(gateway), 200, 250);
    const headroom = disk.reserve(24 * 1024);
    const filler = disk.fill();
    disk.free(headroom); // room for a few small appends, not for a ~200 KB checkpoint
    const tight = await sendEvents(client, 'tight', 5, 64, 1);
    expect(gateway.child.exitCode).toBeNull();
    expect(client.closed).toBeNull();
    expect([...tight.values()]).toContain('ok'); // the facts that fitted crossed the checkpoint mark
    expect(gateway.output()).toMatch(/checkpoint .*failed/i);
    disk.free(filler);
    const after = await sendEvents(client, 'after', 5);
    expect([...after.values()]).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expectAcknowledgedJournaled(gateway, new Map([...tight, ...after]));
    expect((await client.call('health')).ok).toBe(true);
  }, 60_000);

  it('answers UNAVAILABLE while full, loses nothing acknowledged and recovers by itself', async () => {
    const gateway = await start();
    const client = await connect(gateway);
    const filler = disk.fill();
    const full = await sendEvents(client, 'full', 30);
    expect(new Set(full.values())).toEqual(new Set(['UNAVAILABLE']));
    expect(gateway.child.exitCode).toBeNull();
    disk.free(filler);
    const back = await sendEvents(client, 'back', 5);
    expect([...back.values()]).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expectAcknowledgedJournaled(gateway, new Map([...full, ...back]));
  });

  for (const how of ['after a crash', 'after a clean stop'] as const) {
    it(`starts on a full disk ${how}, says so, and catches up when space returns`, async () => {
      const first = await start();
      await sendEvents(await connect(first), 'before', 3);
      if (how === 'after a crash') await first.stop('SIGKILL');
      else expect((await first.stop('SIGTERM')).code).toBe(0);
      running = running.filter((g) => g !== first);
      const filler = disk.fill();
      const second = await start(first.stateDir);
      expect(second.output()).toMatch(/journal .*(full|read-only|not writable)/i);
      const client = await connect(second);
      expect((await client.call('health')).ok).toBe(true);
      const full = await sendEvents(client, 'full', 3);
      expect(new Set(full.values())).toEqual(new Set(['UNAVAILABLE']));
      disk.free(filler);
      await waitFor(async () => (await sendEvents(client, `probe-${Date.now()}`, 1)).values().next().value === 'ok', 'journal writable again', 10_000);
      await waitFor(() => /journal .*writable again/i.test(second.output()), 'recovery logged', 5000);
      const texts = journaledTexts(second);
      expect([...texts].filter((t) => t.startsWith('before-'))).toHaveLength(3);
      const facts = readJournal(journalOf(second), (db) => db.prepare("SELECT type FROM journal WHERE stream IN ('gateway','system') ORDER BY seq").all() as Array<{ type: string }>);
      expect(facts.filter((f) => f.type === 'presence.restarted')).toHaveLength(2); // the second start was journaled once space came back
    });
  }
});

describe('a read-only file system', () => {
  it('starts read-only from a copy of the journal, says so, and opens it for writing once it can', async () => {
    const first = await start();
    await sendEvents(await connect(first), 'before', 3);
    expect((await first.stop('SIGTERM')).code).toBe(0);
    running = running.filter((g) => g !== first);
    disk.setReadOnly(true);
    let readOnly: Map<string, string>;
    let second: GatewayProcess;
    try {
      second = await start(first.stateDir);
      expect(second.output()).toMatch(/journal .*not writable .*read-only/i);
      const client = await connect(second);
      expect((await client.call('health')).ok).toBe(true);
      readOnly = await sendEvents(client, 'ro', 5);
      expect(new Set(readOnly.values())).toEqual(new Set(['UNAVAILABLE']));
    } finally {
      disk.setReadOnly(false);
    }
    const client = await connect(second);
    await waitFor(async () => (await sendEvents(client, `rw-${Date.now()}`, 1)).values().next().value === 'ok', 'journal writable again', 10_000);
    await waitFor(() => /journal .*writable again/i.test(second.output()), 'recovery logged', 5000);
    expectAcknowledgedJournaled(second, readOnly);
    expect([...journaledTexts(second)].filter((t) => t.startsWith('before-'))).toHaveLength(3);
  });
});

describe('a file system turned read-only while the gateway runs', () => {
  const ext4 = new ReadOnlyOnErrorDisk(32);
  afterAll(() => ext4.unmount());

  it('answers UNAVAILABLE, keeps serving reads, loses nothing acknowledged, and the journal is whole once writable again', async () => {
    const stateDir = join(ext4.dir, 'state');
    const first = await start(stateDir);
    const client = await connect(first);
    const before = await sendEvents(client, 'before', 5);
    expect([...before.values()]).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    // What the gateway acknowledged is committed; what the page cache holds of it is the kernel's
    // business (a file-system error may drop unwritten pages), so it is written out first.
    execFileSync('sync', ['-f', stateDir]);
    let during: Map<string, string>;
    try {
      ext4.failReadOnly(); // the journal file and its directory: every write now fails with EROFS
      during = await sendEvents(client, 'ro', 20, 64, 5);
      expect(new Set(during.values())).toEqual(new Set(['UNAVAILABLE']));
      expect((await client.call('health')).ok).toBe(true);
      expect(first.child.exitCode).toBeNull();
      await waitFor(() => /journal .*not writable/i.test(first.output()), 'the read-only journal logged', 5000);
      client.close();
      // A stop must neither hang nor fail on a journal it cannot write (nor on its lock it cannot remove).
      expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      running = running.filter((g) => g !== first);
    } finally {
      await first.stop('SIGKILL');
      ext4.remount(); // an ext4 error lasts until the file system is mounted again
    }
    const second = await start(stateDir);
    const after = await sendEvents(await connect(second), 'after', 5);
    expect([...after.values()]).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expectAcknowledgedJournaled(second, new Map([...before, ...during, ...after]));
    expect([...journaledTexts(second)].filter((text) => text.startsWith('ro-'))).toEqual([]);
  }, 60_000);
});

