import type { FactData } from '../protocol/facts.js';
import type { RunError, RunUsage } from '../protocol/run-facts.js';
import type { JournalEntry } from './journal.js';

/** Where a run is, as its journal stream says. */
export type RunStatus = 'accepted' | 'running' | 'ok' | 'error' | 'timeout' | 'aborted';

/** Everything known about one run, folded from `run:<runId>`. Times are the facts' journal times. */
export interface RunRecord {
  readonly runId: string;
  readonly sessionKey: string;
  readonly agentId: string;
  readonly message: string;
  readonly via: string;
  readonly provider: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly status: RunStatus;
  readonly acceptedAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly sessionId: string | null;
  /** Assistant text so far (the whole reply once ended). */
  readonly text: string;
  readonly usage: RunUsage | null;
  readonly error: RunError | null;
  readonly stopReason: string | null;
  /** Last position folded: the run's `seq`. */
  readonly position: number;
}

/** True once the run has a terminal fact. */
export const isEnded = (record: RunRecord): boolean => record.endedAt !== null;

/**
 * Folds one fact of a run's stream. Starts from null (nothing journaled); facts other than
 * `run.accepted` on a null state are ignored, so a partial read (first and last fact) still folds.
 */
export function foldRunRecord(state: RunRecord | null, entry: JournalEntry): RunRecord | null {
  if (entry.type === 'run.accepted') {
    const data = entry.data as FactData<'run.accepted'>;
    return {
      runId: data.runId, sessionKey: data.sessionKey, agentId: data.agentId, message: data.message, via: data.via,
      provider: data.provider, model: data.model, timeoutMs: data.timeoutMs, status: 'accepted', acceptedAt: entry.ts,
      startedAt: null, endedAt: null, sessionId: null, text: '', usage: null, error: null, stopReason: null, position: entry.position,
    };
  }
  if (state === null) return null;
  const at = { position: entry.position };
  switch (entry.type) {
    case 'run.started':
      return { ...state, ...at, status: 'running', startedAt: entry.ts, sessionId: (entry.data as FactData<'run.started'>).sessionId };
    case 'run.delta':
      return { ...state, ...at, status: 'running', text: state.text + (entry.data as FactData<'run.delta'>).delta };
    case 'run.usage':
      return { ...state, ...at, usage: addUsage(state.usage, entry.data as FactData<'run.usage'>) };
    case 'run.completed': {
      const data = entry.data as FactData<'run.completed'>;
      return { ...state, ...at, status: 'ok', endedAt: entry.ts, text: data.text, usage: data.usage, stopReason: data.stopReason };
    }
    case 'run.failed': {
      const data = entry.data as FactData<'run.failed'>;
      return { ...state, ...at, status: 'error', endedAt: entry.ts, text: data.text, usage: data.usage, error: data.error, stopReason: 'error' };
    }
    case 'run.timedOut': {
      const data = entry.data as FactData<'run.timedOut'>;
      return { ...state, ...at, status: 'timeout', endedAt: entry.ts, text: data.text, usage: data.usage, stopReason: 'timeout' };
    }
    case 'run.aborted': {
      const data = entry.data as FactData<'run.aborted'>;
      return { ...state, ...at, status: 'aborted', endedAt: entry.ts, text: data.text, usage: data.usage, stopReason: data.stopReason };
    }
    default:
      return { ...state, ...at };
  }
}

/** Folds a run's entries in order. */
export function runRecordOf(entries: Iterable<JournalEntry>): RunRecord | null {
  let state: RunRecord | null = null;
  for (const entry of entries) state = foldRunRecord(state, entry);
  return state;
}

/** Usage with nothing counted. */
export const ZERO_USAGE: RunUsage = { input: 0, output: 0, total: 0 };

/** Sum of two usages (cache counters only when either side has them). */
export function addUsage(a: RunUsage | null, b: RunUsage): RunUsage {
  if (a === null) return b;
  const sum: RunUsage = { input: a.input + b.input, output: a.output + b.output, total: a.total + b.total };
  const cacheRead = (a.cacheRead ?? 0) + (b.cacheRead ?? 0);
  const cacheWrite = (a.cacheWrite ?? 0) + (b.cacheWrite ?? 0);
  return { ...sum, ...(cacheRead > 0 ? { cacheRead } : {}), ...(cacheWrite > 0 ? { cacheWrite } : {}) };
}
