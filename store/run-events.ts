import type { EventFrame } from '../protocol/frames.js';
import type { FactData } from '../protocol/facts.js';
import type { AgentEvent, ChatEvent } from '../protocol/run-events.js';
import { runIdOfStream } from '../protocol/run-facts.js';
import type { JournalEntry } from './journal.js';
import { foldRunRecord, type RunRecord } from './run-record.js';

/** One event of a run, with whether a backlogged socket may skip it (PROTOCOL.md §3.4: chat deltas). */
export interface RunEventFrame {
  readonly frame: EventFrame;
  readonly droppable: boolean;
}

/*
 * A run's events are a pure function of its journal stream: every fact gives one `agent` event
 * whose `seq` is the fact's position (so per-run seq is dense from 1), and text-bearing facts also
 * give one `chat` event with the same `seq`. The live path and `replayRunEvents` use the same
 * fold, so a run replayed from the journal equals what was streamed.
 */

const agent = (record: RunRecord, entry: JournalEntry, stream: string, data: Record<string, unknown>): RunEventFrame => {
  const payload: AgentEvent = { runId: record.runId, seq: entry.position, stream, ts: entry.ts, data };
  return { frame: { type: 'event', event: 'agent', payload }, droppable: false };
};

const chat = (payload: ChatEvent, droppable = false): RunEventFrame => ({ frame: { type: 'event', event: 'chat', payload }, droppable });

const message = (text: string, ts: number) => ({ role: 'assistant' as const, content: [{ type: 'text' as const, text }], timestamp: ts });

/** The events of `entry`, given the run's record right after folding it. */
export function runEventsOf(record: RunRecord, entry: JournalEntry): RunEventFrame[] {
  const base = { runId: record.runId, sessionKey: record.sessionKey, agentId: record.agentId, seq: entry.position };
  const startedAt = record.startedAt ?? record.acceptedAt;
  switch (entry.type) {
    case 'run.accepted':
      return [agent(record, entry, 'lifecycle', { phase: 'start', startedAt: entry.ts, sessionKey: record.sessionKey, agentId: record.agentId })];
    case 'run.started':
      return [agent(record, entry, 'lifecycle', { phase: 'model', provider: record.provider, model: record.model, sessionId: record.sessionId })];
    case 'run.delta': {
      const { delta } = entry.data as FactData<'run.delta'>;
      return [
        agent(record, entry, 'assistant', { text: record.text, delta }),
        chat({ ...base, state: 'delta', deltaText: delta, message: message(record.text, entry.ts) }, true),
      ];
    }
    case 'run.usage': {
      const usage = entry.data as FactData<'run.usage'>;
      return [agent(record, entry, 'usage', { inputTokens: usage.input, outputTokens: usage.output, totalTokens: usage.total })];
    }
    case 'run.tool.called': {
      const call = entry.data as FactData<'run.tool.called'>;
      return [agent(record, entry, 'tool', { phase: 'start', toolCallId: call.toolCallId, name: call.name, args: call.arguments })];
    }
    case 'run.tool.completed': {
      const done = entry.data as FactData<'run.tool.completed'>;
      return [agent(record, entry, 'tool', { phase: 'result', toolCallId: done.toolCallId, name: done.name, result: done.result, isError: done.isError })];
    }
    case 'run.completed': {
      const data = entry.data as FactData<'run.completed'>;
      return [
        agent(record, entry, 'lifecycle', { phase: 'end', startedAt, endedAt: entry.ts, aborted: false, stopReason: data.stopReason }),
        chat({ ...base, state: 'final', message: message(data.text, entry.ts), stopReason: data.stopReason, usage: data.usage }),
      ];
    }
    case 'run.failed': {
      const { error } = entry.data as FactData<'run.failed'>;
      return [
        agent(record, entry, 'lifecycle', { phase: 'error', error: error.message, code: error.code, startedAt, endedAt: entry.ts }),
        chat({ ...base, state: 'error', errorMessage: error.message, errorKind: error.kind ?? 'unknown' }),
      ];
    }
    case 'run.timedOut': {
      const { timeoutMs } = entry.data as FactData<'run.timedOut'>;
      const errorMessage = timedOutMessage(timeoutMs);
      return [
        agent(record, entry, 'lifecycle', { phase: 'error', error: errorMessage, code: 'AGENT_TIMEOUT', stopReason: 'timeout', startedAt, endedAt: entry.ts }),
        chat({ ...base, state: 'error', errorMessage, errorKind: 'timeout' }),
      ];
    }
    case 'run.aborted': {
      const data = entry.data as FactData<'run.aborted'>;
      return [
        agent(record, entry, 'lifecycle', { phase: 'end', status: 'cancelled', aborted: true, stopReason: data.stopReason, startedAt, endedAt: entry.ts }),
        chat({ ...base, state: 'aborted', stopReason: data.stopReason, ...(data.text ? { message: message(data.text, entry.ts) } : {}) }),
      ];
    }
    default:
      return [agent(record, entry, 'other', { type: entry.type })];
  }
}

/** The message of a run that passed its deadline. */
export const timedOutMessage = (timeoutMs: number): string => `agent run timed out after ${Math.round(timeoutMs / 1000)} s`;

/** Replays a run's events from its entries (in position order), exactly as they were streamed live. */
export function replayRunEvents(entries: Iterable<JournalEntry>): EventFrame[] {
  let record: RunRecord | null = null;
  const frames: EventFrame[] = [];
  for (const entry of entries) {
    if (runIdOfStream(entry.stream) === null) continue;
    record = foldRunRecord(record, entry);
    if (record) for (const event of runEventsOf(record, entry)) frames.push(event.frame);
  }
  return frames;
}
