/**
 * Journal backup, verify and restore on real SQLite files: an online copy of a journal another
 * connection keeps writing, verification (integrity, dense positions, checkpoints = replay from
 * zero) and what it catches, and a restore that refuses while a writer holds the journal.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointActiveRuns, rebuildActiveRuns } from '../../store/active-runs.js';
import { checkpointGatewayView, rebuildGatewayView, stateVersionOf } from '../../store/gateway-view.js';
import { backupJournal, restoreJournal, verifyJournal } from '../../store/journal-backup.js';
import { Journal } from '../../store/journal.js';
import { JournalLockedError } from '../../store/writer-lock.js';
import { loadRecordedJournal } from '../helpers/journal-spec.js';

const recorded = loadRecordedJournal('two-boots.jsonl');
let dir: string;

function writtenJournal(path: string): Journal {
  const journal = Journal.open(path);
  for (const item of recorded) journal.appendNow(item.stream, [item.fact]);
  checkpointGatewayView(journal, rebuildGatewayView(journal, 4));
  checkpointGatewayView(journal, rebuildGatewayView(journal));
  checkpointActiveRuns(journal, rebuildActiveRuns(journal));
  return journal;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-backup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('journal backup', () => {
  it('copies a journal that another connection keeps appending to, and the copy verifies', async () => {
    const source = join(dir, 'journal.sqlite');
    const journal = writtenJournal(source);
    let appended = 0;
    let writing = true;
    const load = (async () => {
      while (writing) {
        await journal.append('gateway', [{ type: 'presence.beaconed', data: { key: `load-${appended % 5}`, entry: { host: 'load', text: `beacon ${appended}`, ts: appended, reason: 'periodic' } } }]);
        appended += 1;
      }
    })();
    const dest = join(dir, 'copy.sqlite');
    await backupJournal(source, dest);
    writing = false;
    await load;
    const result = verifyJournal(dest);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.integrity).toEqual(['ok']);
    expect(result.checkpoints.map((c) => [c.name, c.result])).toEqual([['active-runs', 'ok'], ['gateway-view', 'ok'], ['gateway-view', 'ok']]);
    // The copy is a prefix of the source: the same facts up to its last seq.
    const copy = Journal.open(dest, { readonly: true });
    expect([...copy.iterate()]).toEqual(journal.readAfter(0, result.lastSeq));
    expect(result.gatewaySeq).toBe(rebuildGatewayView(copy).position);
    expect(result.stateVersion).toEqual(stateVersionOf(rebuildGatewayView(copy)));
    copy.close();
    journal.close();
    expect(appended).toBeGreaterThan(0);
  });

  it('reports a hole in a stream, a checkpoint that differs from the replay, and a file that is not a journal', () => {
    const path = join(dir, 'journal.sqlite');
    writtenJournal(path).close();
    const db = new Database(path);
    db.prepare("DELETE FROM journal WHERE stream = 'gateway' AND position = 3").run();
    db.prepare("UPDATE checkpoints SET state = json_set(state, '$.health.version', 99) WHERE name = 'gateway-view'").run();
    db.close();
    const result = verifyJournal(path);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain('stream gateway: positions 1..10 hold 9 facts (expected dense from 1)');
    expect(result.problems.filter((p) => p.startsWith('checkpoint gateway-view@'))).toHaveLength(2);

    const other = join(dir, 'other.sqlite');
    new Database(other).exec('CREATE TABLE t (x)');
    expect(verifyJournal(other)).toMatchObject({ ok: false, problems: ['missing table journal: not a gateway journal', 'missing table checkpoints: not a gateway journal'] });
  });
});

describe('journal restore', () => {
  it('refuses while a gateway holds the journal, and keeps the previous journal aside', async () => {
    const live = join(dir, 'journal.sqlite');
    const backup = join(dir, 'backup.sqlite');
    const journal = writtenJournal(live);
    await backupJournal(live, backup);
    expect(() => restoreJournal(backup, live)).toThrow(JournalLockedError);
    journal.appendNow('system', [{ type: 'gateway.stopped', data: { reason: 'after the backup' } }]);
    journal.close();
    const keptAs = restoreJournal(backup, live, 1234);
    expect(keptAs).toBe(`${live}.pre-restore-1234`);
    expect(existsSync(keptAs as string)).toBe(true);
    const restored = Journal.open(live);
    expect(restored.lastSeq()).toBe(verifyJournal(backup).lastSeq);
    restored.close();
    expect(verifyJournal(keptAs as string).lastSeq).toBe(verifyJournal(backup).lastSeq + 1);
  });
});
