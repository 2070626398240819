import { copyFileSync, existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { StateVersion } from '../protocol/frames.js';
import { activeRunsProjection } from './active-runs.js';
import { GATEWAY_STREAM, gatewayViewProjection, rebuildGatewayView, stateVersionOf } from './gateway-view.js';
import { Journal, type JournalEntry } from './journal.js';
import type { Projection } from './projection.js';
import { acquireWriterLock } from './writer-lock.js';

/** Pages per backup step: all of them, so the copy is one read snapshot (SQLite restarts a step the source changed under). */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the journal at `source` to `dest` with SQLite's online backup API over a read-only
 * connection: it takes no writer lock, so it runs while the gateway appends, and the copy is a
 * consistent snapshot (every committed transaction up to one instant, nothing half-written).
 */
export async function backupJournal(source: string, dest: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
}

/** One checkpoint compared with its projection replayed from zero. */
export interface CheckpointCheck {
  readonly name: string;
  readonly position: number;
  /** `ok`, `mismatch`, or `unknown` (no projection of that name in this version: not checked). */
  readonly result: 'ok' | 'mismatch' | 'unknown';
}

/** What `verifyJournal` found. */
export interface JournalVerification {
  readonly ok: boolean;
  readonly path: string;
  readonly integrity: readonly string[];
  readonly facts: number;
  readonly streams: number;
  readonly lastSeq: number;
  /** Last `gateway` position: the wire `seq` a gateway started on this file continues from. */
  readonly gatewaySeq: number;
  readonly stateVersion: StateVersion;
  readonly checkpoints: readonly CheckpointCheck[];
  readonly problems: readonly string[];
}

interface StreamRow { stream: string; facts: number; first: number; last: number }

/** Deep equality of two JSON values regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
    }
    return value;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Folds entries (in seq order) from the projection's initial state until `past` says the checkpoint is behind. */
function replay<TState>(projection: Projection<TState>, entries: Iterable<JournalEntry>, past: (entry: JournalEntry) => boolean): TState {
  let state = projection.initial();
  for (const entry of entries) {
    if (past(entry)) break;
    state = projection.fold(state, entry);
  }
  return state;
}

/**
 * Checks a journal file (a backup, or the live one read-only): SQLite's `integrity_check`, dense
 * positions from 1 in every stream, and every stored checkpoint against its projection replayed
 * from zero up to the checkpoint's position. Reads only; never changes the file.
 */
export function verifyJournal(path: string): JournalVerification {
  const problems: string[] = [];
  if (!existsSync(path)) throw new Error(`no journal at ${path}`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  let integrity: string[];
  let streams: StreamRow[];
  let stored: Array<{ name: string; position: number; state: string }>;
  try {
    integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
    if (integrity.length !== 1 || integrity[0] !== 'ok') problems.push(`integrity_check: ${integrity.join('; ')}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((row) => row.name));
    for (const table of ['journal', 'checkpoints']) if (!tables.has(table)) problems.push(`missing table ${table}: not a gateway journal`);
    if (problems.length > 0) return empty(path, integrity, problems);
    streams = db.prepare('SELECT stream, COUNT(*) AS facts, MIN(position) AS first, MAX(position) AS last FROM journal GROUP BY stream').all() as StreamRow[];
    stored = db.prepare('SELECT name, position, state FROM checkpoints ORDER BY name, position').all() as typeof stored;
  } finally {
    db.close();
  }
  for (const row of streams) {
    if (row.first !== 1 || row.last !== row.facts) {
      problems.push(`stream ${row.stream}: positions ${row.first}..${row.last} hold ${row.facts} facts (expected dense from 1)`);
    }
  }
  const journal = Journal.open(path, { readonly: true });
  try {
    const checkpoints = stored.map((checkpoint): CheckpointCheck => {
      const state = JSON.parse(checkpoint.state) as unknown;
      let replayed: unknown;
      if (checkpoint.name === gatewayViewProjection.name) {
        replayed = replay(gatewayViewProjection, journal.iterate(), (e) => e.stream === GATEWAY_STREAM && e.position > checkpoint.position);
      } else if (checkpoint.name === activeRunsProjection.name) {
        replayed = replay(activeRunsProjection, journal.iterate(), (e) => e.seq > checkpoint.position);
      } else {
        return { name: checkpoint.name, position: checkpoint.position, result: 'unknown' };
      }
      const same = sameJson(replayed, state);
      if (!same) problems.push(`checkpoint ${checkpoint.name}@${checkpoint.position} differs from the journal replayed from zero`);
      return { name: checkpoint.name, position: checkpoint.position, result: same ? 'ok' : 'mismatch' };
    });
    const view = rebuildGatewayView(journal);
    return {
      ok: problems.length === 0,
      path,
      integrity,
      facts: streams.reduce((total, row) => total + row.facts, 0),
      streams: streams.length,
      lastSeq: journal.lastSeq(),
      gatewaySeq: view.position,
      stateVersion: stateVersionOf(view),
      checkpoints,
      problems,
    };
  } finally {
    journal.close();
  }
}

function empty(path: string, integrity: readonly string[], problems: readonly string[]): JournalVerification {
  return { ok: false, path, integrity, facts: 0, streams: 0, lastSeq: 0, gatewaySeq: 0, stateVersion: { presence: 0, health: 0 }, checkpoints: [], problems };
}

/**
 * Puts a verified backup in place of the journal at `target` while no gateway runs (the writer
 * lock is taken for the duration, so a running gateway makes this fail). An existing journal is
 * kept beside it, with its WAL, as `<target>.pre-restore-<ms>`. Returns that name, if any.
 */
export function restoreJournal(backup: string, target: string, now = Date.now()): string | undefined {
  const release = acquireWriterLock(target);
  try {
    let keptAs: string | undefined;
    if (existsSync(target)) {
      keptAs = `${target}.pre-restore-${now}`;
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${keptAs}${suffix}`);
    }
    const partial = `${target}.restoring`;
    copyFileSync(backup, partial);
    renameSync(partial, target);
    return keptAs;
  } finally {
    release();
  }
}
