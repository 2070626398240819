import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Journal, type JournalEntry } from '../../store/journal.js';
import { foldAll, type Projection } from '../../store/projection.js';
import type { Fact } from '../../protocol/facts.js';

/** A fact addressed to a stream, at a given time. */
export interface Given {
  readonly stream: string;
  readonly fact: Fact;
  readonly ts?: number;
}

/** A fresh in-memory journal whose clock the test sets. */
export function memoryJournal(): { journal: Journal; setNow(ts: number): void } {
  let now = 1_000_000;
  const journal = Journal.open(':memory:', { now: () => now });
  return { journal, setNow: (ts) => (now = ts) };
}

/** Appends `items` one by one with their timestamps; returns the entries written. */
export function appendAll(target: { journal: Journal; setNow(ts: number): void }, items: readonly Given[]): JournalEntry[] {
  const written: JournalEntry[] = [];
  for (const item of items) {
    if (item.ts !== undefined) target.setNow(item.ts);
    const result = target.journal.appendNow(item.stream, [item.fact]);
    if (!result.ok) throw new Error(`append refused: ${result.reason}`);
    written.push(...result.entries);
  }
  return written;
}

/**
 * given/when/then over a projection and a real (in-memory) SQLite journal:
 * `journalSpec(p)(given).when(more).then(expected)` folds what the journal holds, from zero.
 */
export function journalSpec<TState>(projection: Projection<TState>) {
  return (given: readonly Given[]) => ({
    when: (when: readonly Given[]) => ({
      then: (expected: Partial<TState> | ((state: TState) => void)) => {
        const target = memoryJournal();
        appendAll(target, given);
        appendAll(target, when);
        const state = foldAll(projection, projection.initial(), target.journal.iterate());
        target.journal.close();
        if (typeof expected === 'function') expected(state);
        else expect(state).toMatchObject(expected as object);
        return state;
      },
    }),
  });
}

/** Loads a recorded journal (JSONL as written by `openclaw gateway journal export`). */
export function loadRecordedJournal(name: string): Given[] {
  const text = readFileSync(new URL(`../journals/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const entry = JSON.parse(line) as { stream: string; type: Fact['type']; data: Fact['data']; ts: number };
      return { stream: entry.stream, ts: entry.ts, fact: { type: entry.type, data: entry.data } as Fact };
    });
}
