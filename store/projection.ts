import type { JournalEntry } from './journal.js';

/** A pure fold over journal entries. `fold` never mutates `state`; unknown types return it unchanged. */
export interface Projection<TState> {
  readonly name: string;
  initial(): TState;
  fold(state: TState, entry: JournalEntry): TState;
}

/** Folds `entries` over `state` with `projection`. */
export function foldAll<TState>(projection: Projection<TState>, state: TState, entries: Iterable<JournalEntry>): TState {
  let next = state;
  for (const entry of entries) next = projection.fold(next, entry);
  return next;
}
