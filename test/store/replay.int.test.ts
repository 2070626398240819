import { describe, expect, it } from 'vitest';
import {
  eventFrameOf, gatewayViewProjection, rebuildGatewayView, replayEvents, checkpointGatewayView, stateVersionOf,
  GATEWAY_STREAM, type GatewayViewState,
} from '../../store/gateway-view.js';
import { foldAll } from '../../store/projection.js';
import type { EventFrame } from '../../protocol/frames.js';
import { appendAll, loadRecordedJournal, memoryJournal } from '../helpers/journal-spec.js';

// Recorded with a real gateway: boot, a tracked client connects, two beacons from one node,
// the client leaves, SIGTERM; second boot, a beacon and a wake, SIGTERM.
const recorded = loadRecordedJournal('two-boots.jsonl');

function replayRecorded() {
  const target = memoryJournal();
  const live: EventFrame[] = [];
  let view: GatewayViewState = gatewayViewProjection.initial();
  target.journal.onCommit((entries) => {
    for (const entry of entries) {
      if (entry.stream !== GATEWAY_STREAM) continue;
      view = gatewayViewProjection.fold(view, entry);
      const frame = eventFrameOf(entry, view, entry.ts, true);
      if (frame) live.push(frame);
    }
  });
  appendAll(target, recorded);
  return { journal: target.journal, live, view };
}

describe('replaying the recorded two-boot journal', () => {
  it('rebuilds the roster, stateVersion and position the gateway had', () => {
    const { journal } = replayRecorded();
    const view = rebuildGatewayView(journal);
    expect(view.position).toBe(10);
    expect(stateVersionOf(view)).toEqual({ presence: 7, health: 1 });
    const rows = Object.values(view.presence.entries);
    expect(rows[0]).toMatchObject({ reason: 'self', mode: 'gateway' });
    expect(rows.filter((r) => r.reason === 'self')).toHaveLength(1);
    expect(rows.find((r) => r.mode === 'test')).toMatchObject({ reason: 'disconnect', host: 'laptop' });
    expect(rows.find((r) => r.instanceId === 'mac-1')).toMatchObject({ text: 'Node: mac-mini · mode node (reconnected)', host: 'mac-mini', reason: 'periodic' });
    expect(rows.find((r) => r.deviceId === 'dev-9')).toMatchObject({ text: 'after restart' });
  });

  it('gives the same view from a checkpoint plus the tail as from zero', () => {
    const { journal } = replayRecorded();
    const fromZero = foldAll(gatewayViewProjection, gatewayViewProjection.initial(), journal.iterate());
    const upToFive = rebuildGatewayView(journal, 5);
    expect(upToFive.position).toBe(5);
    checkpointGatewayView(journal, upToFive);
    expect(rebuildGatewayView(journal)).toEqual(fromZero);
  });

  it('replays exactly the events that were broadcast live, with dense seq', () => {
    const { journal, live } = replayRecorded();
    const replayed = replayEvents(journal, 0, 100, true);
    expect(replayed.events).toEqual(live);
    expect(replayed.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(replayed.events.map((e) => e.event)).toEqual([
      'presence', 'health', 'presence', 'presence', 'presence', 'presence', 'shutdown', 'presence', 'presence', 'shutdown',
    ]);
    expect(replayed).toMatchObject({ lastSeq: 10, hasMore: false });
  });

  it('replays from the middle, page by page, the same frames', () => {
    const { journal, live } = replayRecorded();
    const first = replayEvents(journal, 4, 3, true);
    expect(first.events.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(first.hasMore).toBe(true);
    const second = replayEvents(journal, 7, 3, true);
    expect([...first.events, ...second.events]).toEqual(live.slice(4));
    expect(second.hasMore).toBe(false);
  });

  it('redacts the roster for readers without operator.read but keeps every seq', () => {
    const { journal } = replayRecorded();
    const redacted = replayEvents(journal, 0, 100, false);
    expect(redacted.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const event of redacted.events.filter((e) => e.event === 'presence')) expect(event.payload).toEqual({ presence: [] });
  });
});
