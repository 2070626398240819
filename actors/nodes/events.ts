import type { FactData } from '../../protocol/facts.js';
import type { JournalEntry } from '../../store/journal.js';
import type { OutgoingEvent } from '../gateway/outgoing-event.js';

/*
 * Pairing facts become events for `operator.pairing` sockets, without a wire `seq`: not every
 * operator receives them, so numbering them would open gaps on the others (the seq rule).
 */

const pairing = (event: string, payload: unknown): OutgoingEvent => ({
  frame: { type: 'event', event, payload },
  scope: 'operator.pairing',
  droppable: true,
});

/** The event(s) of one committed `device:*` fact, or null. */
export function pairingEventOf(entry: JournalEntry): OutgoingEvent | null {
  switch (entry.type) {
    case 'device.pair.requested':
      return pairing('device.pair.requested', (entry.data as FactData<'device.pair.requested'>).request);
    case 'device.pair.approved': {
      const data = entry.data as FactData<'device.pair.approved'>;
      return pairing('device.pair.resolved', { requestId: data.requestId, deviceId: data.deviceId, decision: 'approved', ts: data.ts });
    }
    case 'device.pair.rejected': {
      const data = entry.data as FactData<'device.pair.rejected'>;
      return pairing('device.pair.resolved', { requestId: data.requestId, deviceId: data.deviceId, decision: 'rejected', ts: data.ts });
    }
    case 'node.pair.requested':
      return pairing('node.pair.requested', (entry.data as FactData<'node.pair.requested'>).request);
    case 'node.pair.approved': {
      const data = entry.data as FactData<'node.pair.approved'>;
      return pairing('node.pair.resolved', { requestId: data.requestId, nodeId: data.nodeId, decision: 'approved', ts: data.ts });
    }
    case 'node.pair.rejected': {
      const data = entry.data as FactData<'node.pair.rejected'>;
      return pairing('node.pair.resolved', { requestId: data.requestId, nodeId: data.nodeId, decision: 'rejected', ts: data.ts });
    }
    case 'node.pair.removed': {
      const data = entry.data as FactData<'node.pair.removed'>;
      return pairing('node.pair.resolved', { requestId: '', nodeId: data.nodeId, decision: 'removed', ts: data.ts });
    }
    default:
      return null;
  }
}
