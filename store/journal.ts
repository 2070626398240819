import Database from 'better-sqlite3';
import type { Fact } from '../protocol/facts.js';
import { acquireWriterLock } from './writer-lock.js';
import { isStorageRefusal, openJournalSnapshot } from './journal-snapshot.js';

/** An append the file system refused (disk full, read-only…): nothing of it was written. */
export class JournalWriteError extends Error {
  constructor(cause: unknown) {
    super('journal append failed', { cause });
    this.name = 'JournalWriteError';
  }
}

/** One journaled fact. `position` is dense per stream, from 1; `seq` is global. */
export interface JournalEntry {
  readonly seq: number;
  readonly stream: string;
  readonly position: number;
  readonly ts: number;
  readonly type: string;
  readonly data: unknown;
}

/** Outcome of an append: the entries written, or why nothing was written. */
export type AppendResult =
  | { readonly ok: true; readonly entries: readonly JournalEntry[] }
  | { readonly ok: false; readonly reason: 'position-conflict'; readonly current: number };

export interface AppendOptions {
  /** Append only if the stream's last position is exactly this (optimistic concurrency). */
  readonly expectedPosition?: number;
}

export interface JournalOptions {
  /** `normal` (default) survives a process crash; `full` also survives power loss. */
  readonly synchronous?: 'normal' | 'full';
  /** Clock for fact timestamps. */
  readonly now?: () => number;
  /** Open for reading only (inspection while a gateway runs); appends then fail. */
  readonly readonly?: boolean;
  /**
   * When the file system refuses to open the journal for writing (disk full, read-only), open a
   * read-only copy instead (`degraded`); `reopen()` tries the real file again.
   */
  readonly degradeOnRefusal?: boolean;
}

/** What one group commit wrote and how long it took (for metrics). */
export interface FlushStats {
  readonly seconds: number;
  readonly facts: number;
  readonly bytes: number;
}

interface PendingAppend {
  readonly stream: string;
  readonly facts: readonly Fact[];
  readonly options: AppendOptions | undefined;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Row { seq: number; stream: string; position: number; ts: number; type: string; data: string }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  position INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (stream, position)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (name, position)
);`;

const toEntry = (row: Row): JournalEntry => ({ ...row, data: JSON.parse(row.data) as unknown });

/**
 * The append-only journal: the source of truth of everything the gateway does.
 * Appends made in one event-loop turn are written in one transaction (group commit); commit
 * listeners run after the commit and before the append promises resolve, so nothing is
 * broadcast or acknowledged before it is durable.
 */
export class Journal {
  readonly path: string;
  private db: Database.Database;
  private readonly now: () => number;
  private readonly heads = new Map<string, number>();
  private readonly listeners: Array<(entries: readonly JournalEntry[]) => void> = [];
  private pending: PendingAppend[] = [];
  /** Facts that go ahead of every later append, written by the next transaction that commits. */
  private leading: Array<{ readonly stream: string; readonly facts: readonly Fact[] }> = [];
  private writable = true;
  private readonly writableListeners: Array<(writable: boolean, error?: unknown) => void> = [];
  private flushScheduled = false;
  private closed = false;
  private statements;
  private releaseLock: () => void;
  /** The storage failure that made this a read-only copy, until `reopen()` succeeds. */
  private degradedBy: unknown;
  private flushObserver: ((stats: FlushStats) => void) | undefined;
  private writtenBytes = 0;

  private constructor(path: string, private readonly options: JournalOptions) {
    this.path = path;
    this.now = options.now ?? Date.now;
    try {
      ({ db: this.db, releaseLock: this.releaseLock } = Journal.openFile(path, options));
    } catch (error) {
      const snapshot = options.degradeOnRefusal === true && isStorageRefusal(error) ? openJournalSnapshot(path) : undefined;
      if (snapshot === undefined) throw error;
      this.db = snapshot;
      this.releaseLock = () => undefined;
      this.degradedBy = error;
      this.writable = false;
    }
    this.statements = Journal.prepare(this.db);
  }

  private static openFile(path: string, options: JournalOptions): { db: Database.Database; releaseLock: () => void } {
    const writer = options.readonly !== true && path !== ':memory:';
    const releaseLock = writer ? acquireWriterLock(path) : () => undefined;
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
        db.exec(SCHEMA);
      }
      return { db, releaseLock };
    } catch (error) {
      db?.close();
      releaseLock();
      throw error;
    }
  }

  /** Why this journal is a read-only copy (see `degradeOnRefusal`), or undefined when it is not. */
  get degraded(): unknown {
    return this.degradedBy;
  }

  /**
   * Tries to open the real file again after a degraded start; true when it is open for writing
   * now (the cached heads are dropped: the file may hold more than the copy did).
   */
  reopen(): boolean {
    if (this.degradedBy === undefined || this.closed) return this.degradedBy === undefined;
    let opened: { db: Database.Database; releaseLock: () => void };
    try {
      opened = Journal.openFile(this.path, this.options);
    } catch (error) {
      if (!isStorageRefusal(error)) throw error;
      this.degradedBy = error;
      return false;
    }
    this.db.close();
    this.db = opened.db;
    this.releaseLock = opened.releaseLock;
    this.statements = Journal.prepare(this.db);
    this.heads.clear();
    this.degradedBy = undefined;
    return true;
  }

  private static prepare(db: Database.Database) {
    return {
      insert: db.readonly ? undefined : db.prepare<[string, number, number, string, string]>(
        'INSERT INTO journal (stream, position, ts, type, data) VALUES (?, ?, ?, ?, ?)',
      ),
      head: db.prepare<[string]>('SELECT COALESCE(MAX(position), 0) AS position FROM journal WHERE stream = ?'),
      lastSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM journal'),
      afterSeq: db.prepare<[number, number]>('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
      streamAfter: db.prepare<[string, number, number]>(
        'SELECT * FROM journal WHERE stream = ? AND position > ? ORDER BY position LIMIT ?',
      ),
      prefixAll: db.prepare<[string, string]>(
        'SELECT * FROM journal WHERE stream >= ? AND stream < ? ORDER BY seq',
      ),
      streamRange: db.prepare<[string, number, number]>(
        'SELECT * FROM journal WHERE stream = ? AND position > ? AND position <= ? ORDER BY position',
      ),
      streamTail: db.prepare<[string, number]>(
        'SELECT * FROM (SELECT * FROM journal WHERE stream = ? ORDER BY position DESC LIMIT ?) ORDER BY position',
      ),
      streamsIn: db.prepare<[string, string]>(
        'SELECT stream, MAX(position) AS position, MIN(ts) AS firstTs, MAX(ts) AS lastTs FROM journal WHERE stream >= ? AND stream < ? GROUP BY stream',
      ),
      tail: db.prepare<[number]>('SELECT * FROM (SELECT * FROM journal ORDER BY seq DESC LIMIT ?) ORDER BY seq'),
      saveCheckpoint: db.readonly ? undefined : db.prepare<[string, number, string]>(
        'INSERT OR REPLACE INTO checkpoints (name, position, state) VALUES (?, ?, ?)',
      ),
      pruneCheckpoints: db.readonly ? undefined : db.prepare<[string, string, number]>(
        'DELETE FROM checkpoints WHERE name = ? AND position NOT IN (SELECT position FROM checkpoints WHERE name = ? ORDER BY position DESC LIMIT ?)',
      ),
      loadCheckpoint: db.prepare<[string, number]>(
        'SELECT position, state FROM checkpoints WHERE name = ? AND position <= ? ORDER BY position DESC LIMIT 1',
      ),
    };
  }

  /** Opens (creating if needed) the journal file at `path`; `:memory:` works for tests. */
  static open(path: string, options: JournalOptions = {}): Journal {
    return new Journal(path, options);
  }

  /** Registers a listener called with every committed batch, in seq order. */
  onCommit(listener: (entries: readonly JournalEntry[]) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Reports every committed group write (duration, facts, bytes of data); `undefined` stops it. */
  observeFlushes(observer: ((stats: FlushStats) => void) | undefined): void {
    this.flushObserver = observer;
  }

  /**
   * Called when writes start failing (disk full, read-only file system…) with the error, and when
   * a write succeeds again. Appends meanwhile reject; nothing is half-written.
   */
  onWritableChange(listener: (writable: boolean, error?: unknown) => void): void {
    this.writableListeners.push(listener);
  }

  /** False from a failed write until the next one that commits. */
  get isWritable(): boolean {
    return this.writable;
  }

  /**
   * Appends now if the journal takes it; otherwise keeps the facts ahead of every later append,
   * to be written by the next transaction that commits (start-up facts on a full disk).
   * Returns true when they were written now.
   */
  appendFirst(stream: string, facts: readonly Fact[]): boolean {
    this.leading.push({ stream, facts });
    this.flush();
    return this.leading.length === 0;
  }

  /** Facts still waiting in `appendFirst`. */
  get leadingCount(): number {
    return this.leading.length;
  }

  /**
   * Queues facts for `stream`; they are written with every other append of this event-loop turn
   * in one transaction. Resolves after the commit and after commit listeners ran.
   */
  append(stream: string, facts: readonly Fact[], options?: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ stream, facts, options, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes the queued appends now (also used before shutdown and by tests). */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    const leading = this.leading;
    if (batch.length === 0 && leading.length === 0) return;
    this.pending = [];
    let results: AppendResult[];
    const written: JournalEntry[] = [];
    const observer = this.flushObserver;
    const started = observer ? performance.now() : 0;
    this.writtenBytes = 0;
    try {
      results = this.db.transaction(() => {
        for (const { stream, facts } of leading) this.write({ stream, facts, options: undefined, resolve: () => undefined, reject: () => undefined }, written);
        return batch.map((item) => this.write(item, written));
      })();
    } catch (error) {
      this.heads.clear(); // the cache may be ahead of what was rolled back
      this.setWritable(false, error);
      for (const item of batch) item.reject(new JournalWriteError(error));
      return;
    }
    this.leading = [];
    this.setWritable(true);
    if (observer && written.length > 0) observer({ seconds: (performance.now() - started) / 1000, facts: written.length, bytes: this.writtenBytes });
    this.publish(written);
    batch.forEach((item, i) => item.resolve(results[i] as AppendResult));
  }

  /** Appends synchronously in its own transaction (start-up and shutdown paths). */
  appendNow(stream: string, facts: readonly Fact[], options?: AppendOptions): AppendResult {
    this.flush();
    const written: JournalEntry[] = [];
    let result: AppendResult;
    const leading = this.leading;
    try {
      result = this.db.transaction(() => {
        for (const item of leading) this.write({ ...item, options: undefined, resolve: () => undefined, reject: () => undefined }, written);
        return this.write({ stream, facts, options, resolve: () => undefined, reject: () => undefined }, written);
      })();
    } catch (error) {
      this.heads.clear();
      this.setWritable(false, error);
      throw new JournalWriteError(error);
    }
    this.leading = [];
    this.setWritable(true);
    this.publish(written);
    return result;
  }

  private write(item: PendingAppend, written: JournalEntry[]): AppendResult {
    const current = this.streamPosition(item.stream);
    if (item.options?.expectedPosition !== undefined && item.options.expectedPosition !== current) {
      return { ok: false, reason: 'position-conflict', current };
    }
    const ts = this.now();
    const entries: JournalEntry[] = [];
    let position = current;
    for (const fact of item.facts) {
      position += 1;
      const insert = this.statements.insert;
      if (!insert) throw new Error('journal is open read-only');
      const data = JSON.stringify(fact.data);
      this.writtenBytes += data.length;
      const info = insert.run(item.stream, position, ts, fact.type, data);
      entries.push({ seq: Number(info.lastInsertRowid), stream: item.stream, position, ts, type: fact.type, data: fact.data });
    }
    this.heads.set(item.stream, position);
    written.push(...entries);
    return { ok: true, entries };
  }

  private setWritable(writable: boolean, error?: unknown): void {
    if (this.writable === writable) return;
    this.writable = writable;
    for (const listener of this.writableListeners) listener(writable, error);
  }

  private publish(entries: readonly JournalEntry[]): void {
    if (entries.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(entries);
      } catch (error) {
        // A listener bug must not lose acknowledgements; surface it to the process instead.
        setImmediate(() => {
          throw error;
        });
      }
    }
  }

  /** Last position of `stream` (0 when empty). */
  streamPosition(stream: string): number {
    let head = this.heads.get(stream);
    if (head === undefined) {
      head = (this.statements.head.get(stream) as { position: number }).position;
      this.heads.set(stream, head);
    }
    return head;
  }

  /** Highest global seq written (0 when empty). */
  lastSeq(): number {
    return (this.statements.lastSeq.get() as { seq: number }).seq;
  }

  /** Entries with seq > `afterSeq`, in seq order, at most `limit`. */
  readAfter(afterSeq: number, limit = 1000): JournalEntry[] {
    return (this.statements.afterSeq.all(afterSeq, limit) as Row[]).map(toEntry);
  }

  /** Entries of `stream` with position > `afterPosition`, in order, at most `limit`. Never skips. */
  readStream(stream: string, afterPosition: number, limit = 1000): JournalEntry[] {
    return (this.statements.streamAfter.all(stream, afterPosition, limit) as Row[]).map(toEntry);
  }

  /** Every entry of the streams whose name starts with `prefix` (e.g. `device:`), in seq order. */
  readStreamsWithPrefix(prefix: string): JournalEntry[] {
    const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return (this.statements.prefixAll.all(prefix, upper) as Row[]).map(toEntry);
  }

  /** Entries of `stream` with `from < position ≤ to`, in order. */
  readStreamRange(stream: string, from: number, to: number): JournalEntry[] {
    return (this.statements.streamRange.all(stream, from, to) as Row[]).map(toEntry);
  }

  /** The last `limit` entries of `stream` (or of the whole journal when `stream` is undefined), oldest first. */
  tail(limit: number, stream?: string): JournalEntry[] {
    const rows = stream === undefined ? this.statements.tail.all(limit) : this.statements.streamTail.all(stream, limit);
    return (rows as Row[]).map(toEntry);
  }

  /** Every stream whose name starts with `prefix`, with its head position and first/last fact times. */
  streamsWithPrefix(prefix: string): Array<{ stream: string; position: number; firstTs: number; lastTs: number }> {
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return this.statements.streamsIn.all(prefix, end) as Array<{ stream: string; position: number; firstTs: number; lastTs: number }>;
  }

  /** Iterates every entry in seq order without loading the journal into memory. */
  *iterate(): Generator<JournalEntry> {
    for (const row of this.db.prepare('SELECT * FROM journal ORDER BY seq').iterate() as IterableIterator<Row>) {
      yield toEntry(row);
    }
  }

  /** Stores a projection checkpoint covering `stream` positions ≤ `position`; keeps the newest `keep`. */
  saveCheckpoint(name: string, position: number, state: unknown, keep = 8): void {
    if (!this.statements.saveCheckpoint || !this.statements.pruneCheckpoints) throw new Error('journal is open read-only');
    this.statements.saveCheckpoint.run(name, position, JSON.stringify(state));
    this.statements.pruneCheckpoints.run(name, name, keep);
  }

  /** The newest checkpoint of `name` at or before `atOrBefore`, if any. */
  loadCheckpoint(name: string, atOrBefore = Number.MAX_SAFE_INTEGER): { position: number; state: unknown } | undefined {
    const row = this.statements.loadCheckpoint.get(name, atOrBefore) as { position: number; state: string } | undefined;
    return row ? { position: row.position, state: JSON.parse(row.state) as unknown } : undefined;
  }

  /** Writes pending appends and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
    this.releaseLock();
  }
}
