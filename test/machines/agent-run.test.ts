import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, SimulatedClock, type EventObject } from 'xstate';
import { agentRunMachine, type ModelEvent, type ModelTurnInput, type ToolCall, type ToolResult, type TranscriptParams } from '../../machines/agent-run.js';
import type { Fact } from '../../protocol/facts.js';

/** The agent-run machine with recording stubs: no I/O, simulated time. */
function harness(options: { timeoutMs?: number; maxToolRounds?: number } = {}) {
  const facts: Fact[] = [];
  const transcript: TranscriptParams[] = [];
  const lane: string[] = [];
  const turns: ModelTurnInput[] = [];
  let model: ((event: ModelEvent) => void) | undefined;
  let modelStopped = 0;
  const clock = new SimulatedClock();
  const actor = createActor(
    agentRunMachine.provide({
      actions: {
        appendRunFacts: (_, params) => facts.push(...params.facts),
        appendTranscript: (_, params) => {
          if (params) transcript.push(params);
        },
        requestLane: () => lane.push('request'),
        releaseLane: () => lane.push('release'),
      },
      actors: {
        modelTurn: fromCallback<EventObject, ModelTurnInput>(({ input, sendBack }) => {
          turns.push(input);
          model = sendBack;
          return () => (modelStopped += 1);
        }),
        toolCalls: fromPromise<ToolResult[], { runId: string; calls: readonly ToolCall[] }>(async ({ input }) =>
          input.calls.map((c) => ({ toolCallId: c.id, name: c.name, result: `result of ${c.name}`, isError: false })),
        ),
      },
    }),
    { input: { runId: 'r1', message: 'hello', timeoutMs: options.timeoutMs ?? 1000, maxToolRounds: options.maxToolRounds ?? 4 }, clock },
  );
  actor.start();
  const send = (event: ModelEvent) => model?.(event);
  return { actor, facts, transcript, lane, turns, clock, send, stopped: () => modelStopped };
}

const types = (facts: Fact[]) => facts.map((f) => f.type);
const usage = { input: 3, output: 2, total: 5 };

describe('agent-run machine', () => {
  it('waits for the session lane, then journals run.started and the user message', () => {
    const h = harness();
    expect(h.actor.getSnapshot().value).toEqual({ live: 'accepted' });
    expect(h.lane).toEqual(['request']);
    expect(h.facts).toEqual([]);
    h.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    expect(h.actor.getSnapshot().value).toEqual({ live: { running: 'streaming' } });
    expect(h.facts).toEqual([{ type: 'run.started', data: { sessionId: 's-1' } }]);
    expect(h.transcript).toEqual([{ role: 'user', text: 'hello' }]);
  });

  it('journals every delta, then run.completed with the whole text and the assistant message', () => {
    const h = harness();
    h.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    h.send({ type: 'model.delta', delta: 'Hel' });
    h.send({ type: 'model.delta', delta: 'lo' });
    h.send({ type: 'model.usage', usage });
    h.send({ type: 'model.done', stopReason: 'stop' });
    expect(h.actor.getSnapshot().value).toBe('ok');
    expect(types(h.facts)).toEqual(['run.started', 'run.delta', 'run.delta', 'run.usage', 'run.completed']);
    expect(h.facts.at(-1)).toEqual({ type: 'run.completed', data: { text: 'Hello', stopReason: 'stop', usage } });
    expect(h.transcript.at(-1)).toEqual({ role: 'assistant', text: 'Hello' });
    expect(h.lane).toEqual(['request', 'release']);
  });

  it('runs the tools the model asked for and feeds their results to the next round', async () => {
    const h = harness();
    h.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    h.send({ type: 'model.toolCall', call: { id: 'c1', name: 'gateway_status', arguments: '{}' } });
    h.send({ type: 'model.done', stopReason: 'tool_use' });
    expect(h.actor.getSnapshot().value).toEqual({ live: { running: 'callingTools' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.actor.getSnapshot().value).toEqual({ live: { running: 'streaming' } });
    expect(h.turns.at(-1)).toEqual({
      runId: 'r1',
      round: 1,
      exchanges: [{ text: '', calls: [{ id: 'c1', name: 'gateway_status', arguments: '{}' }], results: [{ toolCallId: 'c1', name: 'gateway_status', result: 'result of gateway_status', isError: false }] }],
    });
    expect(types(h.facts)).toEqual(['run.started', 'run.tool.called', 'run.tool.completed']);
  });

  it('answers with what it has once the tool rounds are used up', () => {
    const h = harness({ maxToolRounds: 0 });
    h.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    h.send({ type: 'model.delta', delta: 'partial' });
    h.send({ type: 'model.toolCall', call: { id: 'c1', name: 'gateway_status', arguments: '{}' } });
    h.send({ type: 'model.done', stopReason: 'tool_use' });
    expect(h.actor.getSnapshot().value).toBe('ok');
    expect(h.facts.at(-1)).toMatchObject({ type: 'run.completed', data: { text: 'partial', stopReason: 'max_tool_rounds' } });
  });

  it('ends as error with the provider failure journaled', () => {
    const h = harness();
    h.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    h.send({ type: 'model.delta', delta: 'so far' });
    const error = { key: 'PROVIDER_FAILED', code: 'UNAVAILABLE', message: 'p: 503 overloaded', kind: 'unknown' as const, httpStatus: 503 };
    h.send({ type: 'model.failed', error });
    expect(h.actor.getSnapshot().value).toBe('error');
    expect(h.facts.at(-1)).toEqual({ type: 'run.failed', data: { text: 'so far', error, usage: { input: 0, output: 0, total: 0 } } });
    expect(h.transcript.at(-1)).toEqual({ role: 'assistant', text: 'so far', stopReason: 'error' });
  });

  it('times out after its deadline, even while queued for the lane, and stops the model call', () => {
    const queued = harness({ timeoutMs: 500 });
    queued.clock.increment(500);
    expect(queued.actor.getSnapshot().value).toBe('timeout');
    expect(queued.facts).toEqual([{ type: 'run.timedOut', data: { text: '', timeoutMs: 500, usage: { input: 0, output: 0, total: 0 } } }]);
    expect(queued.lane).toEqual(['request', 'release']);

    const running = harness({ timeoutMs: 500 });
    running.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    running.send({ type: 'model.delta', delta: 'slow' });
    running.clock.increment(499);
    expect(running.actor.getSnapshot().value).toEqual({ live: { running: 'streaming' } });
    running.clock.increment(1);
    expect(running.actor.getSnapshot().value).toBe('timeout');
    expect(running.stopped()).toBe(1);
    expect(running.transcript.at(-1)).toEqual({ role: 'assistant', text: 'slow', stopReason: 'timeout' });
  });

  it('ends as aborted on abort.requested, keeping the partial reply', () => {
    const h = harness();
    h.actor.send({ type: 'lane.granted', sessionId: 's-1' });
    h.send({ type: 'model.delta', delta: 'half' });
    h.actor.send({ type: 'abort.requested', reason: 'rpc' });
    expect(h.actor.getSnapshot().value).toBe('aborted');
    expect(h.facts.at(-1)).toEqual({ type: 'run.aborted', data: { text: 'half', stopReason: 'rpc', usage: { input: 0, output: 0, total: 0 } } });
    expect(h.stopped()).toBe(1);
    h.send({ type: 'model.delta', delta: 'late' });
    expect(types(h.facts).filter((t) => t === 'run.delta')).toHaveLength(1);
  });
});
