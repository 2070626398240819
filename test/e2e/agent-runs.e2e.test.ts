import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runStream } from '../../protocol/run-facts.js';
import { Journal } from '../../store/journal.js';
import { replayRunEvents } from '../../store/run-events.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type Frame, type RawClient } from '../helpers/raw-client.js';
import { FAIL_MESSAGE, startFakeAnthropic, startFakeOpenAi, type FakeProvider } from '../helpers/fake-providers.js';

/**
 * Agent runs end to end: a real gateway process whose providers are fake OpenAI and Anthropic
 * servers on 127.0.0.1 (the real SDKs inside the gateway talk to them), real sockets, the real
 * journal file read back at the end.
 */

let gateway: GatewayProcess;
let openai: FakeProvider;
let anthropic: FakeProvider;
const clients: RawClient[] = [];

beforeAll(async () => {
  openai = await startFakeOpenAi();
  anthropic = await startFakeAnthropic();
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-agent-e2e-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({
    gateway: { mode: 'local' },
    models: {
      providers: {
        fake: { kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-e2e-secret', model: 'fake-gpt', maxRetries: 0 },
        claude: { api: 'anthropic-messages', baseUrl: anthropic.baseUrl, apiKey: 'sk-ant-e2e', model: 'fake-claude', maxRetries: 0 },
      },
    },
    agents: {
      defaults: { model: 'fake/fake-gpt' },
      list: [{ id: 'main', default: true }, { id: 'local', model: 'offline/echo-1' }, { id: 'writer', name: 'Writer', model: 'claude/fake-claude' }],
    },
  }));
  gateway = await startGatewayProcess({ stateDir });
}, 60_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
  await openai?.close();
  await anthropic?.close();
});

async function client(scopes?: string[]): Promise<RawClient> {
  const { client: c } = await connectClient(gateway.url, scopes ? { scopes } : {}, gateway.token);
  clients.push(c);
  return c;
}

type Payload = Record<string, unknown>;
const payloadOf = (frame: Frame) => frame.payload as Payload;
const agentEvents = (c: RawClient, runId: string) => c.events('agent').map(payloadOf).filter((p) => p.runId === runId);
const chatEvents = (c: RawClient, runId: string) => c.events('chat').map(payloadOf).filter((p) => p.runId === runId);

/** Sends `agent` and returns the ack and the final (same request id). */
async function runAgent(c: RawClient, params: Payload, timeoutMs = 10_000): Promise<{ ack: Frame; final: Frame }> {
  const id = c.request('agent', params);
  const ack = await c.response(id, timeoutMs);
  const final = await c.response(id, timeoutMs);
  return { ack, final };
}

const key = () => `k-${randomUUID()}`;

describe('agent over WebSocket', () => {
  it('acks, streams agent and chat events with dense per-run seq, then answers the final on the same id', async () => {
    const c = await client();
    const idempotencyKey = key();
    const { ack, final } = await runAgent(c, { message: 'hi', idempotencyKey, sessionKey: 'main' });
    expect(ack).toMatchObject({ ok: true, payload: { runId: idempotencyKey, sessionKey: 'agent:main:main', agentId: 'main', status: 'accepted', acceptedAt: expect.any(Number) } });
    expect(final).toMatchObject({
      ok: true,
      payload: {
        runId: idempotencyKey,
        status: 'ok',
        summary: 'completed',
        result: {
          payloads: [{ text: 'Hello from fake openai: hi', mediaUrl: null }],
          meta: { durationMs: expect.any(Number), agentMeta: { sessionId: expect.any(String), provider: 'fake', model: 'fake-gpt', usage: { input: 11, output: 7, total: 18 } } },
        },
      },
    });
    const events = agentEvents(c, idempotencyKey);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ stream: 'lifecycle', data: { phase: 'start' } });
    expect(events.at(-1)).toMatchObject({ stream: 'lifecycle', data: { phase: 'end', aborted: false } });
    const assistant = events.filter((e) => e.stream === 'assistant');
    expect(assistant.length).toBeGreaterThanOrEqual(3);
    expect(assistant.at(-1)?.data).toMatchObject({ text: 'Hello from fake openai: hi' });
    for (const frame of c.events('agent')) expect(frame.seq).toBeUndefined();
    const chat = chatEvents(c, idempotencyKey);
    expect(chat.filter((e) => e.state === 'delta').map((e) => e.deltaText).join('')).toBe('Hello from fake openai: hi');
    expect(chat.at(-1)).toMatchObject({ state: 'final', sessionKey: 'agent:main:main', message: { role: 'assistant', content: [{ type: 'text', text: 'Hello from fake openai: hi' }] } });
    // The API key went to the provider, never into the gateway's output.
    expect(openai.requests.at(-1)?.headers.authorization).toBe('Bearer sk-e2e-secret');
    expect(gateway.output()).not.toContain('sk-e2e-secret');
  });

  it('runs Anthropic agents through the Anthropic SDK', async () => {
    const c = await client();
    const { final } = await runAgent(c, { message: 'hello claude', idempotencyKey: key(), agentId: 'writer' });
    expect(final).toMatchObject({ ok: true, payload: { result: { payloads: [{ text: 'Hello from fake anthropic: hello claude' }], meta: { agentMeta: { provider: 'claude', model: 'fake-claude' } } } } });
  });

  it('lets the model call a gateway tool and answers with its result', async () => {
    const c = await client();
    const idempotencyKey = key();
    const { final } = await runAgent(c, { message: 'please tool', idempotencyKey, sessionKey: 'tools' });
    expect((payloadOf(final).result as { payloads: Array<{ text: string }> }).payloads[0]?.text).toMatch(/^Status received: \{"version"/);
    const tool = agentEvents(c, idempotencyKey).filter((e) => e.stream === 'tool').map((e) => (e.data as Payload).phase);
    expect(tool).toEqual(['start', 'result']);
  });

  it('ends a run past its deadline with AGENT_TIMEOUT', async () => {
    const c = await client();
    const idempotencyKey = key();
    const abandonedBefore = openai.abandoned();
    const { final } = await runAgent(c, { message: 'please hang', idempotencyKey, sessionKey: 'hang', timeout: 1 });
    expect(final).toEqual({
      type: 'res',
      id: final.id,
      ok: false,
      payload: { runId: idempotencyKey, status: 'error', summary: 'agent run timed out after 1 s' },
      error: { code: 'AGENT_TIMEOUT', message: 'agent run timed out after 1 s', details: { code: 'RUN_TIMEOUT', timeoutMs: 1000 } },
    });
    expect(chatEvents(c, idempotencyKey).at(-1)).toMatchObject({ state: 'error', errorKind: 'timeout' });
    await expect.poll(() => openai.abandoned()).toBeGreaterThan(abandonedBefore);
  });

  it('surfaces a provider failure as UNAVAILABLE with the provider message', async () => {
    const c = await client();
    const idempotencyKey = key();
    const { final } = await runAgent(c, { message: 'please fail', idempotencyKey });
    expect(final.ok).toBe(false);
    expect(final.payload).toMatchObject({ runId: idempotencyKey, status: 'error', summary: expect.stringContaining(FAIL_MESSAGE) });
    expect(final.error).toMatchObject({ code: 'UNAVAILABLE', message: `fake: 503 ${FAIL_MESSAGE}`, details: { code: 'PROVIDER_FAILED', provider: 'fake', httpStatus: 503 } });
    expect(chatEvents(c, idempotencyKey).at(-1)).toMatchObject({ state: 'error', errorMessage: `fake: 503 ${FAIL_MESSAGE}` });
  });

  it('refuses an unknown agent', async () => {
    const c = await client();
    const res = await c.call('agent', { message: 'x', idempotencyKey: key(), agentId: 'nobody' });
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'unknown agent id: nobody' } });
  });
});

describe('chat.send, chat.abort, agent.wait, chat.history', () => {
  it('aborts a streaming run: chat aborted event, agent.wait reports aborted, the partial reply is kept', async () => {
    const c = await client();
    const idempotencyKey = key();
    const sent = await c.call('chat.send', { sessionKey: 'abortme', message: 'please slow', idempotencyKey });
    expect(sent).toMatchObject({ ok: true, payload: { runId: idempotencyKey, status: 'started' } });
    await c.seen((f) => f.event === 'chat' && payloadOf(f).runId === idempotencyKey && payloadOf(f).state === 'delta');
    const aborted = await c.call('chat.abort', { sessionKey: 'abortme', runId: idempotencyKey });
    expect(aborted).toMatchObject({ ok: true, payload: { ok: true, aborted: true, runIds: [idempotencyKey] } });
    await c.seen((f) => f.event === 'chat' && payloadOf(f).runId === idempotencyKey && payloadOf(f).state === 'aborted');
    expect(agentEvents(c, idempotencyKey).at(-1)).toMatchObject({ stream: 'lifecycle', data: { phase: 'end', status: 'cancelled', aborted: true, stopReason: 'rpc' } });
    const waited = await c.call('agent.wait', { runId: idempotencyKey, timeoutMs: 1000 });
    expect(waited.payload).toMatchObject({ runId: idempotencyKey, status: 'error', error: 'aborted', stopReason: 'rpc' });
    const history = payloadOf(await c.call('chat.history', { sessionKey: 'abortme' }));
    const messages = history.messages as Array<{ role: string; stopReason?: string; content: Array<{ text: string }> }>;
    expect(messages.map((m) => [m.role, m.stopReason])).toEqual([['user', undefined], ['assistant', 'rpc']]);
    expect(messages[1]?.content[0]?.text).toMatch(/^part0 /);
    const again = await c.call('chat.abort', { sessionKey: 'abortme' });
    expect(again.payload).toEqual({ ok: true, aborted: false, runIds: [] });
  });

  it('keeps a run going when its socket closes: it finishes and is journaled', async () => {
    const first = await client();
    const idempotencyKey = key();
    const id = first.request('agent', { message: 'please slow', idempotencyKey, sessionKey: 'walkaway' });
    await first.response(id);
    await first.seen((f) => f.event === 'agent' && payloadOf(f).runId === idempotencyKey && payloadOf(f).stream === 'assistant');
    first.close();
    const second = await client();
    const waited = await second.call('agent.wait', { runId: idempotencyKey, timeoutMs: 10_000 }, 12_000);
    expect(waited.payload).toMatchObject({ runId: idempotencyKey, status: 'ok', terminalReply: { text: 'part0 part1 part2 part3 part4 part5 part6 part7 ' } });
    const history = payloadOf(await second.call('chat.history', { sessionKey: 'walkaway' }));
    expect((history.messages as Array<{ role: string }>).map((m) => m.role)).toEqual(['user', 'assistant']);
    const journal = Journal.open(join(gateway.stateDir, 'journal.sqlite'), { readonly: true });
    try {
      expect(journal.tail(1, runStream(idempotencyKey))[0]?.type).toBe('run.completed');
    } finally {
      journal.close();
    }
  });

  it('answers a retry with the same idempotency key from the journal: in_flight, then the cached final; no new run', async () => {
    const first = await client();
    const idempotencyKey = key();
    const requestsBefore = openai.requests.length;
    const id = first.request('agent', { message: 'please slow', idempotencyKey, sessionKey: 'retry' });
    await first.response(id);
    const second = await client();
    const inFlight = await second.call('agent', { message: 'please slow', idempotencyKey, sessionKey: 'retry' });
    expect(inFlight).toMatchObject({ ok: true, payload: { runId: idempotencyKey, status: 'in_flight', sessionKey: 'agent:main:retry', agentId: 'main' } });
    const final = await first.response(id, 10_000);
    const cached = await second.call('agent', { message: 'please slow', idempotencyKey, sessionKey: 'retry' });
    expect(cached.payload).toEqual(final.payload);
    const chatRetry = await second.call('chat.send', { message: 'please slow', idempotencyKey, sessionKey: 'retry' });
    expect(chatRetry.payload).toEqual({ runId: idempotencyKey, status: 'ok' });
    expect(openai.requests.length - requestsBefore).toBe(1);
    const journal = Journal.open(join(gateway.stateDir, 'journal.sqlite'), { readonly: true });
    try {
      expect(journal.readStream(runStream(idempotencyKey), 0).filter((e) => e.type === 'run.accepted')).toHaveLength(1);
    } finally {
      journal.close();
    }
  });

  it('runs 100 concurrent runs: each acked, then finished, with dense per-run seq', async () => {
    const c = await client();
    const keys = Array.from({ length: 100 }, () => key());
    const ids = keys.map((idempotencyKey, i) => c.request('agent', { message: `concurrent ${i}`, idempotencyKey, agentId: 'local', sessionKey: `agent:local:c${i}` }));
    // `seen` does not consume frames, so many waiters can share one socket's log.
    const isRes = (id: string, accepted: boolean) => (f: Frame) => f.type === 'res' && f.id === id && (payloadOf(f)?.status === 'accepted') === accepted;
    const acks = await Promise.all(ids.map((id) => c.seen(isRes(id, true), 20_000)));
    expect(acks.every((a) => a.ok === true)).toBe(true);
    const finals = await Promise.all(ids.map((id) => c.seen(isRes(id, false), 20_000)));
    ids.forEach((id) => expect(c.log.findIndex(isRes(id, true))).toBeLessThan(c.log.findIndex(isRes(id, false))));
    finals.forEach((final, i) => {
      expect(final).toMatchObject({ ok: true, payload: { status: 'ok', result: { payloads: [{ text: expect.stringContaining(`"concurrent ${i}"`) }] } } });
    });
    for (const idempotencyKey of keys) {
      const seqs = agentEvents(c, idempotencyKey).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(seqs.length).toBeGreaterThanOrEqual(6);
    }
  }, 60_000);

  it('replays a run from its journal stream exactly as it was streamed live', async () => {
    const c = await client();
    const idempotencyKey = key();
    await runAgent(c, { message: 'replay me', idempotencyKey, sessionKey: 'replay' });
    const live = c.log.filter((f) => f.type === 'event' && (f.event === 'agent' || f.event === 'chat') && payloadOf(f).runId === idempotencyKey);
    const journal = Journal.open(join(gateway.stateDir, 'journal.sqlite'), { readonly: true });
    try {
      expect(replayRunEvents(journal.readStream(runStream(idempotencyKey), 0))).toEqual(live);
    } finally {
      journal.close();
    }
  });

  it('keeps the session transcript in the journal and lists configured agents with their models', async () => {
    const c = await client();
    await runAgent(c, { message: 'first', idempotencyKey: key(), agentId: 'local', sessionKey: 'agent:local:notes' });
    await runAgent(c, { message: 'second', idempotencyKey: key(), agentId: 'local', sessionKey: 'agent:local:notes' });
    const history = payloadOf(await c.call('chat.history', { sessionKey: 'agent:local:notes' }));
    const messages = history.messages as Array<{ role: string; content: Array<{ text: string }>; __openclaw: { seq: number } }>;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages[3]?.content[0]?.text).toContain('This session has 1 earlier message from you.');
    expect(history).toMatchObject({ sessionKey: 'agent:local:notes', sessionId: expect.any(String), totalMessages: 4, hasMore: false, defaults: { model: 'offline/echo-1' } });
    const delta = payloadOf(await c.call('chat.history', { sessionKey: 'agent:local:notes', cursor: String(messages[1]?.__openclaw.seq) }));
    expect((delta.messages as unknown[]).length).toBe(2);
    const agents = payloadOf(await c.call('agents.list', {}));
    expect(agents).toMatchObject({ defaultId: 'main', mainKey: 'main' });
    expect(agents.agents).toEqual([
      expect.objectContaining({ id: 'main', model: { primary: 'fake/fake-gpt' } }),
      expect.objectContaining({ id: 'local', model: { primary: 'offline/echo-1' } }),
      expect.objectContaining({ id: 'writer', name: 'Writer', model: { primary: 'claude/fake-claude' } }),
    ]);
  });
});
