import { afterEach, describe, expect, it } from 'vitest';
import type { Fact } from '../../protocol/facts.js';
import { runStream } from '../../protocol/run-facts.js';
import { activeRunsProjection } from '../../store/active-runs.js';
import { Journal, type JournalEntry } from '../../store/journal.js';
import { replayRunEvents, runEventsOf } from '../../store/run-events.js';
import { foldRunRecord, runRecordOf, type RunRecord } from '../../store/run-record.js';
import { readTranscript } from '../../store/transcript.js';
import { foldAll } from '../../store/projection.js';

const usage = { input: 4, output: 3, total: 7 };
const accepted = (runId: string, sessionKey = 'agent:main:main'): Fact => ({
  type: 'run.accepted',
  data: { runId, sessionKey, agentId: 'main', message: 'hi', origin: 'ws', via: 'agent', provider: 'offline', model: 'echo-1', timeoutMs: 60_000 },
});
const delta = (text: string): Fact => ({ type: 'run.delta', data: { delta: text } });

let journal: Journal;
afterEach(() => journal?.close());

function given(runId: string, facts: Fact[]): JournalEntry[] {
  journal ??= Journal.open(':memory:');
  const result = journal.appendNow(runStream(runId), facts);
  if (!result.ok) throw new Error('append refused');
  return [...result.entries];
}

describe('run events from the journal', () => {
  it('gives one agent event per fact with seq = stream position, dense from 1, and chat events for text', () => {
    journal = Journal.open(':memory:');
    const entries = given('r1', [accepted('r1'), { type: 'run.started', data: { sessionId: 's1' } }, delta('Hel'), delta('lo'), { type: 'run.usage', data: usage }, { type: 'run.completed', data: { text: 'Hello', stopReason: 'stop', usage } }]);
    const frames = replayRunEvents(entries);
    const agent = frames.filter((f) => f.event === 'agent').map((f) => f.payload as { seq: number; stream: string; data: Record<string, unknown> });
    expect(agent.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(agent.map((e) => e.stream)).toEqual(['lifecycle', 'lifecycle', 'assistant', 'assistant', 'usage', 'lifecycle']);
    expect(agent[3]?.data).toEqual({ text: 'Hello', delta: 'lo' });
    const chat = frames.filter((f) => f.event === 'chat').map((f) => f.payload as { state: string; seq: number; deltaText?: string; message?: { content: Array<{ text: string }> } });
    expect(chat.map((c) => [c.state, c.seq])).toEqual([['delta', 3], ['delta', 4], ['final', 6]]);
    expect(chat[1]?.message?.content[0]?.text).toBe('Hello');
    expect(frames.every((f) => f.seq === undefined)).toBe(true);
  });

  it('replayed events equal the live fold, entry by entry', () => {
    journal = Journal.open(':memory:');
    const entries = given('r2', [accepted('r2'), { type: 'run.started', data: { sessionId: 's1' } }, delta('a'), delta('b'), { type: 'run.aborted', data: { text: 'ab', stopReason: 'rpc', usage } }]);
    let record: RunRecord | null = null;
    const live = [];
    for (const entry of entries) {
      record = foldRunRecord(record, entry);
      if (record) live.push(...runEventsOf(record, entry).map((e) => e.frame));
    }
    expect(replayRunEvents(journal.readStream(runStream('r2'), 0))).toEqual(live);
  });

  it('folds a record from only the first and last fact (the idempotency check)', () => {
    journal = Journal.open(':memory:');
    const entries = given('r3', [accepted('r3'), { type: 'run.started', data: { sessionId: 's1' } }, delta('x'), { type: 'run.failed', data: { text: 'x', usage, error: { key: 'PROVIDER_FAILED', code: 'UNAVAILABLE', message: 'boom' } } }]);
    const record = runRecordOf([entries[0] as JournalEntry, entries.at(-1) as JournalEntry]);
    expect(record).toMatchObject({ runId: 'r3', status: 'error', text: 'x', error: { message: 'boom' }, position: 4 });
    expect(runRecordOf([entries[0] as JournalEntry, entries[2] as JournalEntry])?.status).toBe('running');
  });

  it('tracks active runs across streams; folding twice changes nothing; rebuild equals live', () => {
    journal = Journal.open(':memory:');
    given('a', [accepted('a')]);
    given('b', [accepted('b')]);
    given('a', [{ type: 'run.completed', data: { text: '', stopReason: 'stop', usage } }]);
    const all = [...journal.iterate()];
    const state = foldAll(activeRunsProjection, activeRunsProjection.initial(), all);
    expect(Object.keys(state.active)).toEqual(['b']);
    expect(foldAll(activeRunsProjection, state, all)).toEqual(state);
  });

  it('reads a session transcript, bounded to the last messages', () => {
    journal = Journal.open(':memory:');
    journal.appendNow('session:agent:main:main', [
      { type: 'session.created', data: { sessionId: 's1', agentId: 'main' } },
      { type: 'system.event.queued', data: { text: 'queued', source: 'wake' } },
      { type: 'session.message.appended', data: { role: 'user', text: 'one', runId: 'r1' } },
      { type: 'session.message.appended', data: { role: 'assistant', text: 'two', runId: 'r1' } },
      { type: 'session.message.appended', data: { role: 'user', text: 'three', runId: 'r2' } },
    ]);
    const all = readTranscript(journal, 'session:agent:main:main');
    expect(all).toMatchObject({ sessionId: 's1', agentId: 'main', skipped: 0, position: 5 });
    expect(all.messages.map((m) => [m.role, m.text, m.position])).toEqual([['user', 'one', 3], ['assistant', 'two', 4], ['user', 'three', 5]]);
    const last = readTranscript(journal, 'session:agent:main:main', { keep: 1 });
    expect(last.messages.map((m) => m.text)).toEqual(['three']);
    expect(last.skipped).toBe(2);
    expect(readTranscript(journal, 'session:agent:main:main', { afterPosition: 4 }).messages.map((m) => m.text)).toEqual(['three']);
  });
});
