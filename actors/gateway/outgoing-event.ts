import type { EventFrame } from '../../protocol/frames.js';
import type { OperatorScope } from '../../protocol/scopes.js';

/** An event to deliver, derived from a committed journal entry. */
export interface OutgoingEvent {
  readonly frame: EventFrame;
  /** Scope a socket needs to receive it; null: every authenticated socket. */
  readonly scope: OperatorScope | null;
  /** May be skipped for a backlogged socket (PROTOCOL.md §3.4); otherwise the socket is closed. */
  readonly droppable: boolean;
}
