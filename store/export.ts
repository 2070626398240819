import type { Journal, JournalEntry } from './journal.js';

/** One journal entry as one JSON line (the `journal export` / `journal tail` format). */
export const toJsonLine = (entry: JournalEntry): string =>
  JSON.stringify({ seq: entry.seq, stream: entry.stream, position: entry.position, ts: entry.ts, type: entry.type, data: entry.data });

/** Writes every entry in seq order as JSONL through `write`; returns the number written. */
export function exportJournal(journal: Journal, write: (line: string) => void): number {
  let count = 0;
  for (const entry of journal.iterate()) {
    write(`${toJsonLine(entry)}\n`);
    count += 1;
  }
  return count;
}
