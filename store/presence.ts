import type { PresenceEntry } from '../protocol/presence.js';
import type { FactData } from '../protocol/facts.js';
import type { Projection } from './projection.js';
import type { JournalEntry } from './journal.js';

/** Rows older than this that are not live connections are pruned (PROTOCOL.md §7). */
export const PRESENCE_TTL_MS = 5 * 60_000;
/** Roster bound; the oldest rows (never the gateway itself) go first. */
export const PRESENCE_MAX_ENTRIES = 200;

/** Roster keyed by presence key; insertion order is roster order (the gateway's own row first). */
export interface PresenceState {
  readonly entries: Readonly<Record<string, PresenceEntry>>;
  /** Number of presence facts folded: `stateVersion.presence`. */
  readonly version: number;
}

const isLive = (entry: PresenceEntry): boolean => entry.reason === 'connect' || entry.reason === 'self';

function prune(entries: Record<string, PresenceEntry>, now: number): Record<string, PresenceEntry> {
  const kept = Object.entries(entries).filter(([, e]) => isLive(e) || e.ts >= now - PRESENCE_TTL_MS);
  if (kept.length > PRESENCE_MAX_ENTRIES) {
    const removable = kept.filter(([, e]) => e.reason !== 'self').sort(([, a], [, b]) => a.ts - b.ts);
    const drop = new Set(removable.slice(0, kept.length - PRESENCE_MAX_ENTRIES).map(([key]) => key));
    return Object.fromEntries(kept.filter(([key]) => !drop.has(key)));
  }
  return Object.fromEntries(kept);
}

/** Folds presence facts of the `gateway` stream into the roster. */
export const presenceProjection: Projection<PresenceState> = {
  name: 'presence',
  initial: () => ({ entries: {}, version: 0 }),
  fold(state, entry: JournalEntry) {
    switch (entry.type) {
      case 'presence.restarted': {
        const { self } = entry.data as FactData<'presence.restarted'>;
        const rest: Record<string, PresenceEntry> = {};
        for (const [key, row] of Object.entries(state.entries)) {
          if (row.reason === 'self') continue;
          rest[key] = row.reason === 'connect' ? { ...row, reason: 'disconnect' } : row;
        }
        return { entries: prune({ [`self:${self.instanceId ?? 'gateway'}`]: self, ...rest }, entry.ts), version: state.version + 1 };
      }
      case 'presence.connected': {
        const { key, entry: row } = entry.data as FactData<'presence.connected'>;
        return { entries: prune({ ...state.entries, [key]: row }, entry.ts), version: state.version + 1 };
      }
      case 'presence.beaconed': {
        const { key, entry: row } = entry.data as FactData<'presence.beaconed'>;
        const merged = { ...state.entries[key], ...row };
        return { entries: prune({ ...state.entries, [key]: merged }, entry.ts), version: state.version + 1 };
      }
      case 'presence.disconnected': {
        const { key, ts } = entry.data as FactData<'presence.disconnected'>;
        const row = state.entries[key];
        const entries = row ? { ...state.entries, [key]: { ...row, reason: 'disconnect', ts } } : state.entries;
        return { entries: prune({ ...entries }, entry.ts), version: state.version + 1 };
      }
      default:
        return state;
    }
  },
};

/**
 * The roster as clients see it at `now`: stale rows filtered, the gateway's own `ts` refreshed.
 * The gateway row comes first.
 */
export function rosterOf(state: PresenceState, now: number): PresenceEntry[] {
  const roster: PresenceEntry[] = [];
  for (const row of Object.values(state.entries)) {
    if (row.reason === 'self') roster.unshift({ ...row, ts: now });
    else if (isLive(row) || row.ts >= now - PRESENCE_TTL_MS) roster.push(row);
  }
  return roster;
}
