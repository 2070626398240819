import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentParams, AgentWaitParams } from '../../protocol/methods/agent.js';
import { ChatAbortParams, ChatHistoryParams, ChatSendParams } from '../../protocol/methods/chat.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type Frame, type RawClient } from '../helpers/raw-client.js';
import { ensureOfficial, OFFICIAL_HOOK_TIMEOUT_MS, officialSchemaPath } from '../helpers/official.js';

/**
 * The official protocol schema as the oracle for agent runs: every key official clients may send
 * in `agent`, `agent.wait` and `chat.*` params is one our closed schemas accept, and every
 * `agent` / `chat` event payload (ok, error, timeout, abort) and `agents.list` result we send
 * validates against the official `AgentEvent`, `ChatEvent` and `AgentsListResult`.
 */

const SCHEMA_ID = 'https://openclaw.ai/protocol.schema.json';
let ajv: Ajv;
let official: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
let gateway: GatewayProcess;
let c: RawClient;

const definition = (name: string): ValidateFunction => {
  const validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${name}`);
  if (!validate) throw new Error(`official schema has no ${name}`);
  return validate;
};

beforeAll(async () => {
  await ensureOfficial();
  const schema = JSON.parse(readFileSync(officialSchemaPath(), 'utf8')) as { definitions: typeof official };
  official = schema.definitions;
  ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addKeyword({ keyword: 'discriminator' });
  ajv.addKeyword({ keyword: 'methods' });
  ajv.addSchema(schema);
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-agent-schema-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({
    gateway: { mode: 'local' },
    models: { providers: { slow: { kind: 'offline', delayMs: 200 }, broken: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'x', maxRetries: 0 } } },
    agents: { list: [{ id: 'main', default: true, model: 'offline/echo-1' }, { id: 'slow', model: 'slow/echo-1' }, { id: 'broken', model: 'broken/none' }] },
  }));
  gateway = await startGatewayProcess({ stateDir });
  c = (await connectClient(gateway.url, {}, gateway.token)).client;
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  c?.close();
  await gateway?.stop();
  gateway?.cleanup();
});

/**
 * Keys today's official clients send that the published protocol schema (older than the 2026.9.6
 * Control UI) does not list yet: `maxBytes` on `chat.history` (CONTROL-UI.md §9.3).
 */
const NEWER_CLIENT_KEYS: Readonly<Record<string, readonly string[]>> = { ChatHistoryParams: ['maxBytes'] };

describe('official params are accepted by our closed schemas', () => {
  it.each([
    ['AgentParams', AgentParams],
    ['AgentWaitParams', AgentWaitParams],
    ['ChatSendParams', ChatSendParams],
    ['ChatHistoryParams', ChatHistoryParams],
    ['ChatAbortParams', ChatAbortParams],
  ] as Array<[string, TSchema]>)('%s has every official key and the same required ones', (name, ours) => {
    const theirs = official[name];
    const extras = NEWER_CLIENT_KEYS[name] ?? [];
    expect(Object.keys(ours.properties as object).filter((key) => !extras.includes(key)).sort()).toEqual(Object.keys(theirs?.properties ?? {}).sort());
    expect([...((ours.required as string[] | undefined) ?? [])].sort()).toEqual([...(theirs?.required ?? [])].sort());
  });
});

describe('our agent and chat events validate against the official schema', () => {
  it('for completed, failed, timed-out and aborted runs, and agents.list', async () => {
    const ok = randomUUID();
    const okId = c.request('agent', { message: '/tool gateway_status', idempotencyKey: ok, sessionKey: 'schema-ok' });
    const failed = randomUUID();
    const failedId = c.request('agent', { message: 'x', idempotencyKey: failed, agentId: 'broken' });
    const timedOut = randomUUID();
    const timedOutId = c.request('agent', { message: 'this takes longer than one second to stream', idempotencyKey: timedOut, agentId: 'slow', sessionKey: 'agent:slow:t', timeout: 1 });
    const aborted = randomUUID();
    c.request('chat.send', { message: 'abort this one', idempotencyKey: aborted, agentId: 'slow', sessionKey: 'agent:slow:a' });
    const isFinal = (id: string) => (f: Frame) => f.type === 'res' && f.id === id && (f.payload as { status?: string } | undefined)?.status !== 'accepted';
    await c.seen((f) => f.event === 'chat' && (f.payload as { runId?: string }).runId === aborted);
    await c.call('chat.abort', { sessionKey: 'agent:slow:a', runId: aborted });
    await Promise.all([okId, failedId, timedOutId].map((id) => c.seen(isFinal(id), 10_000)));
    await c.seen((f) => f.event === 'chat' && (f.payload as { runId?: string; state?: string }).runId === aborted && (f.payload as { state?: string }).state === 'aborted');

    const agentEvent = definition('AgentEvent');
    const chatEvent = definition('ChatEvent');
    const runs = new Set([ok, failed, timedOut, aborted]);
    const events = c.log.filter((f) => f.type === 'event' && (f.event === 'agent' || f.event === 'chat') && runs.has((f.payload as { runId: string }).runId));
    const states = new Set(events.filter((f) => f.event === 'chat').map((f) => (f.payload as { state: string }).state));
    expect([...states].sort()).toEqual(['aborted', 'delta', 'error', 'final']);
    expect(events.some((f) => f.event === 'agent' && (f.payload as { stream: string }).stream === 'tool')).toBe(true);
    for (const frame of events) {
      const validate = frame.event === 'agent' ? agentEvent : chatEvent;
      expect(validate(frame.payload), `${frame.event} ${JSON.stringify(frame.payload)}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    const agents = await c.call('agents.list', {});
    const agentsList = definition('AgentsListResult');
    expect(agentsList(agents.payload), ajv.errorsText(agentsList.errors)).toBe(true);
  });
});
