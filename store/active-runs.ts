import { isTerminalRunFact, runIdOfStream } from '../protocol/run-facts.js';
import type { FactData } from '../protocol/facts.js';
import type { Journal, JournalEntry } from './journal.js';
import type { Projection } from './projection.js';

/** Runs accepted and not yet ended, across every `run:*` stream, with the global seq folded to. */
export interface ActiveRunsState {
  readonly seq: number;
  readonly active: Readonly<Record<string, { readonly sessionKey: string; readonly agentId: string }>>;
}

const CHECKPOINT = 'active-runs';

/**
 * Folds every journal entry (only `run:*` streams change it). At start-up the runs it still holds
 * were cut off by a stop or crash and are failed by the agent-runs module.
 */
export const activeRunsProjection: Projection<ActiveRunsState> = {
  name: CHECKPOINT,
  initial: () => ({ seq: 0, active: {} }),
  fold(state, entry) {
    if (entry.seq <= state.seq) return state; // folding twice changes nothing
    const runId = runIdOfStream(entry.stream);
    if (runId === null) return { ...state, seq: entry.seq };
    if (entry.type === 'run.accepted') {
      const data = entry.data as FactData<'run.accepted'>;
      return { seq: entry.seq, active: { ...state.active, [runId]: { sessionKey: data.sessionKey, agentId: data.agentId } } };
    }
    if (isTerminalRunFact(entry.type) && runId in state.active) {
      const { [runId]: _ended, ...rest } = state.active;
      return { seq: entry.seq, active: rest };
    }
    return { ...state, seq: entry.seq };
  },
};

/** Rebuilds the projection from its newest checkpoint plus the journal after it. */
export function rebuildActiveRuns(journal: Journal): ActiveRunsState {
  const checkpoint = journal.loadCheckpoint(CHECKPOINT);
  let state = (checkpoint?.state as ActiveRunsState | undefined) ?? activeRunsProjection.initial();
  for (;;) {
    const batch: JournalEntry[] = journal.readAfter(state.seq, 5000);
    if (batch.length === 0) return state;
    for (const entry of batch) state = activeRunsProjection.fold(state, entry);
  }
}

/** Stores the projection (a cache: deleting it only costs a longer rebuild). */
export function checkpointActiveRuns(journal: Journal, state: ActiveRunsState): void {
  journal.saveCheckpoint(CHECKPOINT, state.seq, state);
}
