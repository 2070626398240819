import type { FactData } from '../protocol/facts.js';
import type { Journal, JournalEntry } from './journal.js';
import type { Projection } from './projection.js';

/*
 * The state of one channel account, folded from its stream `channel:<channel>:<accountId>`:
 * link state and timestamps (status), inbound messages still open (the ingress queue: received,
 * not yet answered or ignored), the deliveries made for them, `send` results by idempotency key,
 * and the pairing store (pending requests, approved senders).
 */

type Received = FactData<'channel.inbound.received'>;

/** An inbound message not closed yet, with the turns started for it. */
export interface OpenInbound {
  readonly message: Received;
  readonly receivedAt: number;
  readonly runIds: readonly string[];
  readonly sessionKey: string | null;
}

/** A pairing request and what became of it. */
export interface PairingRequest {
  readonly requestId: string;
  readonly code: string;
  readonly senderId: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lastSeenAt: number;
  readonly status: 'pending' | 'approved' | 'dismissed';
}

export interface ChannelAccountState {
  readonly position: number;
  readonly link: (FactData<'channel.link.changed'> & { readonly at: number }) | null;
  readonly lastStartAt: number | null;
  readonly lastStopAt: number | null;
  readonly lastConnectedAt: number | null;
  readonly lastInboundAt: number | null;
  readonly lastOutboundAt: number | null;
  /** Last inbound id journaled (Telegram: the next offset is this + 1). */
  readonly lastInboundId: string | null;
  /** The last `SEEN_IDS` inbound ids journaled (a redelivered message is dropped before the journal). */
  readonly seen: readonly string[];
  readonly open: Readonly<Record<string, OpenInbound>>;
  /** Platform message ids delivered, by delivery key and chunk. */
  readonly deliveries: Readonly<Record<string, Readonly<Record<number, readonly string[]>>>>;
  readonly sends: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly pairing: Readonly<Record<string, PairingRequest>>;
  readonly approved: Readonly<Record<string, true>>;
  /** Answered inbound count (bench and tests). */
  readonly answered: number;
}

/** How many recent inbound ids the projection remembers for deduplication. */
export const SEEN_IDS = 2000;

const without = <T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> => {
  const { [key]: _gone, ...rest } = record;
  return rest;
};

export const channelAccountProjection: Projection<ChannelAccountState> = {
  name: 'channel-account',
  initial: () => ({
    position: 0, link: null, lastStartAt: null, lastStopAt: null, lastConnectedAt: null, lastInboundAt: null, lastOutboundAt: null,
    lastInboundId: null, seen: [], open: {}, deliveries: {}, sends: {}, pairing: {}, approved: {}, answered: 0,
  }),
  fold(state, entry) {
    if (entry.position <= state.position) return state; // folding twice changes nothing
    const base = { ...state, position: entry.position };
    switch (entry.type) {
      case 'channel.link.changed': {
        const data = entry.data as FactData<'channel.link.changed'>;
        return {
          ...base,
          link: { ...data, at: entry.ts },
          ...(data.state === 'starting' && state.link?.state !== 'reconnecting' && state.link?.state !== 'starting' ? { lastStartAt: entry.ts } : {}),
          ...(data.state === 'stopped' ? { lastStopAt: entry.ts } : {}),
          ...(data.state === 'connected' ? { lastConnectedAt: entry.ts } : {}),
        };
      }
      case 'channel.inbound.received': {
        const message = entry.data as Received;
        return {
          ...base,
          lastInboundAt: entry.ts,
          lastInboundId: message.id,
          seen: [...state.seen.slice(-(SEEN_IDS - 1)), message.id],
          open: { ...state.open, [message.id]: { message, receivedAt: entry.ts, runIds: [], sessionKey: null } },
        };
      }
      case 'channel.turn.started': {
        const data = entry.data as FactData<'channel.turn.started'>;
        const open = state.open[data.id];
        if (!open) return base;
        return { ...base, open: { ...state.open, [data.id]: { ...open, runIds: [...open.runIds, data.runId], sessionKey: data.sessionKey } } };
      }
      case 'channel.inbound.ignored': {
        const data = entry.data as FactData<'channel.inbound.ignored'>;
        return { ...base, open: without(state.open, data.id) };
      }
      case 'channel.inbound.answered': {
        const data = entry.data as FactData<'channel.inbound.answered'>;
        const open = state.open[data.id];
        const deliveries = open ? open.runIds.reduce((acc, runId) => without(acc, `reply:${runId}`), state.deliveries) : state.deliveries;
        return { ...base, open: without(state.open, data.id), deliveries, answered: state.answered + 1 };
      }
      case 'channel.delivery.sent': {
        const data = entry.data as FactData<'channel.delivery.sent'>;
        return {
          ...base,
          lastOutboundAt: entry.ts,
          deliveries: { ...state.deliveries, [data.key]: { ...(state.deliveries[data.key] ?? {}), [data.chunk]: data.messageIds } },
        };
      }
      case 'channel.send.completed': {
        const data = entry.data as FactData<'channel.send.completed'>;
        return { ...base, sends: { ...state.sends, [data.idempotencyKey]: data.result }, deliveries: without(state.deliveries, `send:${data.idempotencyKey}`) };
      }
      case 'channel.pairing.requested': {
        const data = entry.data as FactData<'channel.pairing.requested'>;
        return { ...base, pairing: { ...state.pairing, [data.requestId]: { ...data, lastSeenAt: data.createdAt, status: 'pending' } } };
      }
      case 'channel.pairing.seen': {
        const data = entry.data as FactData<'channel.pairing.seen'>;
        const request = state.pairing[data.requestId];
        return request ? { ...base, pairing: { ...state.pairing, [data.requestId]: { ...request, lastSeenAt: data.at } } } : base;
      }
      case 'channel.pairing.approved':
      case 'channel.pairing.dismissed': {
        const data = entry.data as FactData<'channel.pairing.approved'>;
        const request = state.pairing[data.requestId];
        const status = entry.type === 'channel.pairing.approved' ? 'approved' : 'dismissed';
        return {
          ...base,
          pairing: request ? { ...state.pairing, [data.requestId]: { ...request, status } } : state.pairing,
          ...(status === 'approved' ? { approved: { ...state.approved, [data.senderId]: true as const } } : {}),
        };
      }
      default:
        return base;
    }
  },
};

/** Folds the whole stream of one account. */
export function rebuildChannelAccount(journal: Journal, stream: string): ChannelAccountState {
  let state = channelAccountProjection.initial();
  for (;;) {
    const batch: JournalEntry[] = journal.readStream(stream, state.position, 2000);
    if (batch.length === 0) return state;
    for (const entry of batch) state = channelAccountProjection.fold(state, entry);
  }
}

/** Pending requests that have not expired at `now`. */
export const pendingPairing = (state: ChannelAccountState, now: number): PairingRequest[] =>
  Object.values(state.pairing).filter((r) => r.status === 'pending' && r.expiresAt > now);
