import type { HealthSnapshot } from '../protocol/health.js';
import type { FactData } from '../protocol/facts.js';
import type { Projection } from './projection.js';

/** The last announced health snapshot and how many were announced (`stateVersion.health`). */
export interface HealthState {
  readonly last: HealthSnapshot | null;
  readonly version: number;
}

/** Folds `health.changed` facts. */
export const healthProjection: Projection<HealthState> = {
  name: 'health',
  initial: () => ({ last: null, version: 0 }),
  fold(state, entry) {
    if (entry.type !== 'health.changed') return state;
    return { last: (entry.data as FactData<'health.changed'>).snapshot, version: state.version + 1 };
  },
};
