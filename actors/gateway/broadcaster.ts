import type { EventFrame } from '../../protocol/frames.js';
import { hasScope } from '../../protocol/scopes.js';
import type { JournalEntry } from '../../store/journal.js';
import { eventFrameOf, isDroppableWhenSlow, type GatewayViewState } from '../../store/gateway-view.js';
import type { Logger } from '../logs/logger.js';
import type { OutgoingEvent } from './outgoing-event.js';
import type { GatewaySocket } from '../transport/contract.js';
import type { GatewayMetrics } from './metrics-hooks.js';

/** An authenticated socket that receives broadcasts. */
export interface Audience {
  readonly socket: GatewaySocket;
  /** May see the presence roster (operator.read). */
  readonly canRead: boolean;
  readonly scopes: readonly string[];
  /** Called when a non-droppable frame finds the socket backlogged: the connection closes it (1008). */
  slow(): void;
}

/** UTF-8 bytes of a frame; empty when there is nothing to send. */
export function encodeFrame(frame: EventFrame | null): Buffer {
  return frame ? Buffer.from(JSON.stringify(frame)) : Buffer.alloc(0);
}

/**
 * The fan-out of events to authenticated sockets: `gateway` facts (wire `seq` = their position),
 * module events and ticks. Each frame is encoded once per audience, not once per socket; a socket
 * buffering more than `maxBufferedBytes` skips droppable frames and is closed for the others.
 */
export class Broadcaster {
  private readonly members = new Set<Audience>();

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {}

  /** Authenticated sockets receiving broadcasts. */
  get size(): number {
    return this.members.size;
  }

  join(member: Audience): void {
    this.members.add(member);
  }

  leave(member: Audience): void {
    this.members.delete(member);
  }

  /** Sends one frame to one socket, applying the slow-consumer policy. */
  send(member: Audience, bytes: string | Buffer, droppable: boolean): void {
    if (member.socket.bufferedAmount() > this.maxBufferedBytes) {
      if (!droppable) member.slow();
      return;
    }
    member.socket.send(bytes);
    if (this.logger.debugEnabled) this.logger.debug('frame out', { conn: member.socket.id, frame: bytes.toString().slice(0, 2000) });
  }

  /** Broadcasts a committed `gateway` fact, given the view right after folding it. */
  publishFact(entry: JournalEntry, viewAfter: GatewayViewState): void {
    if (this.members.size === 0) return;
    const now = entry.ts; // the fact's own time: what `events.replay` reproduces byte for byte
    const droppable = isDroppableWhenSlow(entry.type);
    let forReaders: Buffer | undefined;
    let redacted: Buffer | undefined;
    let recipients = 0;
    for (const member of this.members) {
      const bytes = member.canRead
        ? (forReaders ??= encodeFrame(eventFrameOf(entry, viewAfter, now, true)))
        : (redacted ??= encodeFrame(eventFrameOf(entry, viewAfter, now, false)));
      if (bytes.length > 0) {
        this.send(member, bytes, droppable);
        recipients += 1;
      }
    }
    this.metrics?.sink?.fanout('fact', recipients);
  }

  /** Delivers a module event (no wire `seq`: not a `gateway` fact) to the sockets whose scopes allow it. */
  publish(event: OutgoingEvent): void {
    if (this.members.size === 0) return;
    let bytes: Buffer | undefined;
    let recipients = 0;
    for (const member of this.members) {
      if (event.scope !== null && !hasScope(member.scopes, event.scope)) continue;
      this.send(member, (bytes ??= encodeFrame(event.frame)), event.droppable);
      recipients += 1;
    }
    this.metrics?.sink?.fanout('event', recipients);
  }

  /** The keepalive `tick` (not journaled, no `seq`) to every socket. */
  tick(ts: number): void {
    if (this.members.size === 0) return;
    const bytes = encodeFrame({ type: 'event', event: 'tick', payload: { ts } });
    for (const member of this.members) this.send(member, bytes, false);
    this.metrics?.sink?.fanout('tick', this.members.size);
  }
}
