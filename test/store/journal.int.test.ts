import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../../store/journal.js';
import { JournalLockedError } from '../../store/writer-lock.js';
import type { Fact } from '../../protocol/facts.js';

const queued = (text: string): Fact => ({ type: 'system.event.queued', data: { text, source: 'wake', mode: 'now' } });
const dirs: string[] = [];
const tempJournalPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
  dirs.push(dir);
  return join(dir, 'journal.sqlite');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('journal', () => {
  it('numbers positions densely per stream and seq globally', () => {
    const journal = Journal.open(':memory:');
    journal.appendNow('a', [queued('1'), queued('2')]);
    journal.appendNow('b', [queued('3')]);
    journal.appendNow('a', [queued('4')]);
    const all = [...journal.iterate()];
    expect(all.map((e) => [e.seq, e.stream, e.position])).toEqual([[1, 'a', 1], [2, 'a', 2], [3, 'b', 1], [4, 'a', 3]]);
    expect(journal.readStream('a', 1).map((e) => e.position)).toEqual([2, 3]);
    journal.close();
  });

  it('writes the appends of one event-loop turn in one transaction, then notifies, then resolves', async () => {
    const journal = Journal.open(':memory:');
    const order: string[] = [];
    const batches: number[] = [];
    journal.onCommit((entries) => {
      batches.push(entries.length);
      order.push('committed');
    });
    const first = journal.append('a', [queued('1')]).then(() => order.push('first acked'));
    const second = journal.append('b', [queued('2'), queued('3')]).then(() => order.push('second acked'));
    await Promise.all([first, second]);
    expect(batches).toEqual([3]);
    expect(order).toEqual(['committed', 'first acked', 'second acked']);
    journal.close();
  });

  it('refuses an append whose expected position is stale and writes nothing', () => {
    const journal = Journal.open(':memory:');
    journal.appendNow('a', [queued('1')]);
    const result = journal.appendNow('a', [queued('2')], { expectedPosition: 0 });
    expect(result).toEqual({ ok: false, reason: 'position-conflict', current: 1 });
    expect(journal.streamPosition('a')).toBe(1);
    expect(journal.appendNow('a', [queued('2')], { expectedPosition: 1 }).ok).toBe(true);
    journal.close();
  });

  it('keeps everything acknowledged across a reopen, and continues positions', () => {
    const path = tempJournalPath();
    const first = Journal.open(path);
    first.appendNow('gateway', [queued('1'), queued('2')]);
    first.close();
    const second = Journal.open(path);
    const written = second.appendNow('gateway', [queued('3')]);
    expect(written.ok && written.entries[0]?.position).toBe(3);
    expect(second.lastSeq()).toBe(3);
    second.close();
  });

  it('lets only one writer open a journal file, and readers alongside it', () => {
    const path = tempJournalPath();
    const writer = Journal.open(path);
    writer.appendNow('gateway', [queued('1')]);
    expect(() => Journal.open(path)).toThrow(JournalLockedError);
    const reader = Journal.open(path, { readonly: true });
    expect(reader.tail(5).map((e: JournalEntry) => e.position)).toEqual([1]);
    expect(() => reader.appendNow('gateway', [queued('2')])).toThrow(/append failed/);
    reader.close();
    writer.close();
    Journal.open(path).close(); // the lock is released on close
  });

  it('keeps the newest checkpoints and finds the one at or before a position', () => {
    const journal = Journal.open(':memory:');
    for (let p = 1; p <= 10; p += 1) journal.saveCheckpoint('view', p * 100, { p }, 3);
    expect(journal.loadCheckpoint('view')).toEqual({ position: 1000, state: { p: 10 } });
    expect(journal.loadCheckpoint('view', 850)).toEqual({ position: 800, state: { p: 8 } });
    expect(journal.loadCheckpoint('view', 700)).toBeUndefined();
    journal.close();
  });
});
