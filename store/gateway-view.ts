import type { EventFrame, StateVersion } from '../protocol/frames.js';
import type { FactData } from '../protocol/facts.js';
import type { Journal, JournalEntry } from './journal.js';
import { foldAll, type Projection } from './projection.js';
import { presenceProjection, rosterOf, type PresenceState } from './presence.js';
import { healthProjection, type HealthState } from './health.js';

/** The stream every operator sees; wire `seq` is a position in it. */
export const GATEWAY_STREAM = 'gateway';
/** Checkpoint name of the gateway view. */
const CHECKPOINT = 'gateway-view';

/** Everything derived from the `gateway` stream. */
export interface GatewayViewState {
  /** Last `gateway` position folded: the wire `seq` of the newest broadcast event. */
  readonly position: number;
  readonly presence: PresenceState;
  readonly health: HealthState;
}

/** Folds the `gateway` stream: presence roster, health, and the position reached. */
export const gatewayViewProjection: Projection<GatewayViewState> = {
  name: 'gateway-view',
  initial: () => ({ position: 0, presence: presenceProjection.initial(), health: healthProjection.initial() }),
  fold(state, entry) {
    if (entry.stream !== GATEWAY_STREAM) return state;
    return {
      position: entry.position,
      presence: presenceProjection.fold(state.presence, entry),
      health: healthProjection.fold(state.health, entry),
    };
  },
};

/** `stateVersion` as derived from the view. */
export const stateVersionOf = (view: GatewayViewState): StateVersion => ({
  presence: view.presence.version,
  health: view.health.version,
});

/** Rebuilds the view up to `upTo` (default: the end) from the newest checkpoint at or before it plus the tail. */
export function rebuildGatewayView(journal: Journal, upTo = Number.MAX_SAFE_INTEGER): GatewayViewState {
  const checkpoint = journal.loadCheckpoint(CHECKPOINT, upTo);
  let view = (checkpoint?.state as GatewayViewState | undefined) ?? gatewayViewProjection.initial();
  let from = checkpoint?.position ?? 0;
  for (;;) {
    const batch = journal.readStream(GATEWAY_STREAM, from, 1000).filter((e) => e.position <= upTo);
    if (batch.length === 0) return view;
    view = foldAll(gatewayViewProjection, view, batch);
    from = view.position;
  }
}

/** Stores the view as a checkpoint (a cache: deleting it only costs a longer rebuild). */
export function checkpointGatewayView(journal: Journal, view: GatewayViewState): void {
  journal.saveCheckpoint(CHECKPOINT, view.position, view);
}

/** Whether an event of this fact type may be skipped for a backlogged socket (PROTOCOL.md §3.4). */
export const isDroppableWhenSlow = (type: string): boolean => type.startsWith('presence.');

/**
 * The broadcast event of one `gateway` fact, given the view right after folding it.
 * `canRead` false redacts the roster (scope-less sockets still get the frame, so `seq` stays dense).
 */
export function eventFrameOf(entry: JournalEntry, viewAfter: GatewayViewState, now: number, canRead: boolean): EventFrame | null {
  const seq = entry.position;
  switch (entry.type) {
    case 'presence.restarted':
    case 'presence.connected':
    case 'presence.disconnected':
    case 'presence.beaconed':
      return {
        type: 'event',
        event: 'presence',
        payload: { presence: canRead ? rosterOf(viewAfter.presence, now) : [] },
        seq,
        stateVersion: stateVersionOf(viewAfter),
      };
    case 'health.changed':
      return { type: 'event', event: 'health', payload: (entry.data as FactData<'health.changed'>).snapshot, seq, stateVersion: stateVersionOf(viewAfter) };
    case 'gateway.shutdown.announced':
      return { type: 'event', event: 'shutdown', payload: entry.data, seq };
    default:
      return null;
  }
}

/** Replays the broadcast events with seq > `afterSeq` from the journal, as they were sent live. */
export function replayEvents(journal: Journal, afterSeq: number, limit: number, canRead: boolean): { events: EventFrame[]; lastSeq: number; hasMore: boolean } {
  const lastSeq = journal.streamPosition(GATEWAY_STREAM);
  let view = rebuildGatewayView(journal, afterSeq);
  const entries = journal.readStream(GATEWAY_STREAM, afterSeq, limit);
  const events: EventFrame[] = [];
  for (const entry of entries) {
    view = gatewayViewProjection.fold(view, entry);
    const frame = eventFrameOf(entry, view, entry.ts, canRead);
    if (frame) events.push(frame);
  }
  const reached = entries.at(-1)?.position ?? afterSeq;
  return { events, lastSeq, hasMore: reached < lastSeq };
}
