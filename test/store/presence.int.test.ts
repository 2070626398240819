import { describe, expect, it } from 'vitest';
import { presenceProjection, rosterOf, PRESENCE_TTL_MS, PRESENCE_MAX_ENTRIES } from '../../store/presence.js';
import { journalSpec, memoryJournal, appendAll, type Given } from '../helpers/journal-spec.js';
import { foldAll } from '../../store/projection.js';
import type { PresenceEntry } from '../../protocol/presence.js';

const given = journalSpec(presenceProjection);
const T0 = 1_800_000_000_000;
const row = (extra: Partial<PresenceEntry> = {}): PresenceEntry => ({ ts: T0, ...extra });
const restarted = (boot: string, ts = T0): Given => ({ stream: 'gateway', ts, fact: { type: 'presence.restarted', data: { self: row({ reason: 'self', instanceId: boot, mode: 'gateway', ts }) } } });
const connected = (key: string, ts = T0): Given => ({ stream: 'gateway', ts, fact: { type: 'presence.connected', data: { key, entry: row({ reason: 'connect', mode: 'test', ts }) } } });
const disconnected = (key: string, ts = T0): Given => ({ stream: 'gateway', ts, fact: { type: 'presence.disconnected', data: { key, ts } } });
const beacon = (key: string, entry: Partial<PresenceEntry>, ts = T0): Given => ({ stream: 'gateway', ts, fact: { type: 'presence.beaconed', data: { key, entry: row({ ...entry, ts }) } } });

describe('presence projection', () => {
  it('counts every presence fact in stateVersion and keeps the gateway first', () =>
    given([restarted('boot-1'), connected('conn:a')])
      .when([disconnected('conn:a', T0 + 1)])
      .then((state) => {
        expect(state.version).toBe(3);
        expect(Object.keys(state.entries)).toEqual(['self:boot-1', 'conn:a']);
        expect(state.entries['conn:a']).toMatchObject({ reason: 'disconnect', ts: T0 + 1 });
      }));

  it('merges a later beacon into the earlier one, keeping fields it does not repeat', () =>
    given([restarted('boot-1'), beacon('beacon:mac-1', { text: 'first', ip: '10.0.0.2', version: '1' })])
      .when([beacon('beacon:mac-1', { text: 'second', reason: 'periodic' }, T0 + 5)])
      .then((state) => expect(state.entries['beacon:mac-1']).toEqual({ ts: T0 + 5, text: 'second', ip: '10.0.0.2', version: '1', reason: 'periodic' })));

  it('on restart drops the old gateway row and marks live connections disconnected', () =>
    given([restarted('boot-1'), connected('conn:a'), beacon('beacon:x', { text: 'x' })])
      .when([restarted('boot-2', T0 + 10)])
      .then((state) => {
        expect(Object.keys(state.entries)).toEqual(['self:boot-2', 'conn:a', 'beacon:x']);
        expect(state.entries['conn:a']?.reason).toBe('disconnect');
        expect(state.version).toBe(4);
      }));

  it('prunes rows older than the TTL, but never a live connection or the gateway', () =>
    given([restarted('boot-1'), connected('conn:live'), beacon('beacon:old', { text: 'old' }), connected('conn:gone'), disconnected('conn:gone')])
      .when([beacon('beacon:new', { text: 'new' }, T0 + PRESENCE_TTL_MS + 1)])
      .then((state) => expect(Object.keys(state.entries)).toEqual(['self:boot-1', 'conn:live', 'beacon:new'])));

  it(`keeps at most ${PRESENCE_MAX_ENTRIES} rows, dropping the oldest first`, () => {
    const beacons = Array.from({ length: PRESENCE_MAX_ENTRIES + 5 }, (_, i) => beacon(`beacon:${i}`, { text: `b${i}` }, T0 + i));
    given([restarted('boot-1')]).when(beacons).then((state) => {
      const keys = Object.keys(state.entries);
      expect(keys).toHaveLength(PRESENCE_MAX_ENTRIES);
      expect(keys[0]).toBe('self:boot-1');
      expect(keys).not.toContain('beacon:0');
      expect(keys).toContain(`beacon:${PRESENCE_MAX_ENTRIES + 4}`);
    });
  });

  it('a disconnect for an unknown row changes nothing but the version', () =>
    given([restarted('boot-1')]).when([disconnected('conn:never')]).then({ version: 2 }));

  it('rebuilding from zero twice gives the same state (folds are pure)', () => {
    const target = memoryJournal();
    appendAll(target, [restarted('boot-1'), connected('conn:a'), beacon('beacon:b', { text: 'b' }), disconnected('conn:a')]);
    const once = foldAll(presenceProjection, presenceProjection.initial(), target.journal.iterate());
    const twice = foldAll(presenceProjection, presenceProjection.initial(), target.journal.iterate());
    expect(twice).toEqual(once);
  });

  it('shows the roster with the gateway first and its ts refreshed, stale rows hidden', () => {
    const state = given([restarted('boot-1'), beacon('beacon:b', { text: 'b' })]).when([]).then({});
    const later = T0 + PRESENCE_TTL_MS + 1;
    expect(rosterOf(state, T0 + 1).map((r) => r.text ?? r.reason)).toEqual([undefined, 'b'].map((t, i) => (i === 0 ? 'self' : t)));
    expect(rosterOf(state, later)).toEqual([expect.objectContaining({ reason: 'self', ts: later })]);
  });
});
