/**
 * The HTTP API on a real gateway process (PROTOCOL.md §9.2–§9.4), driven by the official
 * `openai` client: models, chat completions and responses (plain and streamed, answered by the
 * built-in offline provider), auth, model naming, embeddings, /tools/invoke, and the default 404s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';

const TOKEN = 'http-e2e-token-0123456789';
let gateway: GatewayProcess;
let stateDir: string;
let client: OpenAI;

/** A state dir whose config switches the API on, with a second agent and an anthropic provider that cannot embed. */
function configuredStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-http-e2e-'));
  const config = {
    gateway: {
      mode: 'local',
      auth: { mode: 'token', token: TOKEN },
      http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } },
      tools: { deny: ['presence_roster'] },
    },
    models: {
      providers: {
        claude: { kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', apiKey: 'unused', model: 'claude-test' },
        slow: { kind: 'offline', delayMs: 40 },
      },
    },
    agents: { defaults: { model: 'offline/echo-1' }, list: [{ id: 'main', default: true }, { id: 'ops' }] },
  };
  writeFileSync(join(dir, 'openclaw.json'), JSON.stringify(config, null, 2));
  return dir;
}

const post = (path: string, body: unknown, token = TOKEN) =>
  fetch(`http://127.0.0.1:${gateway.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  stateDir = configuredStateDir();
  gateway = await startGatewayProcess({ stateDir, token: TOKEN });
  client = new OpenAI({ apiKey: TOKEN, baseURL: `http://127.0.0.1:${gateway.port}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('/v1/models', () => {
  it('lists the agents as models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['openclaw', 'openclaw/default', 'openclaw/main', 'openclaw/ops']);
    expect(models.data[0]).toEqual({ id: 'openclaw', object: 'model', created: 0, owned_by: 'openclaw', permission: [] });
  });

  it('retrieves one by its URL-encoded id and 404s an unknown one', async () => {
    expect(await client.models.retrieve('openclaw/ops')).toMatchObject({ id: 'openclaw/ops', object: 'model' });
    const error = await client.models.retrieve('gpt-4o').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).error).toEqual({ message: "Model 'gpt-4o' not found.", type: 'invalid_request_error' });
  });
});

describe('/v1/chat/completions', () => {
  it('answers with the offline provider', async () => {
    const completion = await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('openclaw');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toContain('ping');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams deltas, a stop chunk and usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'openclaw/ops', messages: [{ role: 'user', content: 'stream me please' }], stream: true, stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toContain('stream me please');
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(1);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('answers 400 UNKNOWN_MODEL for x-openclaw-model naming an unconfigured provider', async () => {
    const error = await client.chat.completions
      .create({ model: 'openclaw', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-openclaw-model': 'nope/m2' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
      message: 'unknown model provider in "nope/m2": configure it under models.providers',
      type: 'invalid_request_error',
    });
  });

  it('refuses a wrong key with 401 and a model that is not an agent with 400', async () => {
    const wrong = new OpenAI({ apiKey: 'wrong', baseURL: `http://127.0.0.1:${gateway.port}/v1`, maxRetries: 0 });
    const unauthorized = await wrong.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((unauthorized as InstanceType<typeof OpenAI.AuthenticationError>).error).toEqual({ message: 'Unauthorized', type: 'unauthorized' });
    const invalid = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect((invalid as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.');
  });

  it('finishes and journals a run whose client disconnected mid-stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${gateway.port}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json',
        'x-openclaw-model': 'slow/echo-1', 'x-openclaw-session-key': 'e2e-disconnect',
      },
      body: JSON.stringify({ model: 'openclaw', stream: true, messages: [{ role: 'user', content: 'a reply long enough to stream in many pieces' }] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('"content"')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const history = async () => {
      const answer = await post('/tools/invoke', { tool: 'session_history', sessionKey: 'e2e-disconnect' });
      const body = (await answer.json()) as { result: { details: { messages: Array<{ role: string; text: string }> } } };
      return body.result.details.messages;
    };
    await expect.poll(async () => (await history()).map((m) => m.role), { timeout: 10_000, interval: 100 }).toEqual(['user', 'assistant']);
    expect((await history())[1]?.text).toMatch(/received: "a reply long enough to stream in many pieces"\. Configure/);
  });

  it('keeps a `user` conversation in one session', async () => {
    const ask = (content: string) => client.chat.completions.create({ model: 'openclaw', user: 'e2e-alice', messages: [{ role: 'user', content }] });
    await ask('first');
    const second = await ask('second');
    expect(second.choices[0]?.message.content).toContain('earlier message');
  });
});

describe('/v1/responses', () => {
  it('answers a completed response', async () => {
    const response = await client.responses.create({ model: 'openclaw', input: 'hello responses' });
    expect(response.status).toBe('completed');
    expect(response.output_text).toContain('hello responses');
  });

  it('streams the event sequence to the official client', async () => {
    const stream = client.responses.stream({ model: 'openclaw', input: 'streamed responses' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toContain('streamed responses');
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  });
});

describe('/v1/responses sessions', () => {
  it('continues the session of previous_response_id', async () => {
    const first = await client.responses.create({ model: 'openclaw', input: 'remember me' });
    const second = await client.responses.create({ model: 'openclaw', input: 'and again', previous_response_id: first.id });
    expect(second.output_text).toContain('earlier message');
    expect(second.previous_response_id).toBe(first.id);
  });
});

describe('/v1/embeddings', () => {
  it('says clearly that the configured provider cannot embed', async () => {
    const error = await client.embeddings.create({ model: 'openclaw', input: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/Embeddings are not available for agent 'main': provider claude \(anthropic\) has no embeddings endpoint/);
  });

  it('embeds through the provider x-openclaw-model names (the offline one), base64 as the client asks', async () => {
    const result = await client.embeddings.create({ model: 'openclaw', input: ['a', 'b'] }, { headers: { 'x-openclaw-model': 'offline/echo-1' } });
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data[0]?.embedding.length).toBe(64);
    expect(result.data[0]?.embedding).not.toEqual(result.data[1]?.embedding);
  });
});

describe('/tools/invoke', () => {
  it('runs an allowed tool', async () => {
    const res = await post('/tools/invoke', { tool: 'gateway_status', args: {} });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; result: { content: Array<{ type: string }>; details: { agents: Array<{ id: string }> } } };
    expect(body.ok).toBe(true);
    expect(body.result.content[0]?.type).toBe('text');
    expect(body.result.details.agents.map((a) => a.id)).toEqual(['main', 'ops']);
  });

  it('refuses a default-denied tool, a config-denied tool and an unknown tool alike', async () => {
    for (const tool of ['exec', 'presence_roster', 'qa_missing_tool']) {
      const res = await post('/tools/invoke', { tool });
      expect(res.status, tool).toBe(404);
      expect(await res.json()).toEqual({ ok: false, error: { type: 'not_found', message: `Tool not available: ${tool}` } });
    }
  });

  it('answers 401 without the shared secret', async () => {
    const res = await post('/tools/invoke', { tool: 'gateway_status' }, 'wrong');
    expect(res.status).toBe(401);
  });
});

describe('with the endpoints off (the default)', () => {
  let plain: GatewayProcess;
  beforeAll(async () => {
    plain = await startGatewayProcess();
  });
  afterAll(async () => {
    await plain?.stop();
    plain?.cleanup();
  });

  it.each([
    ['GET', '/v1/models'], ['GET', '/v1/models/openclaw'], ['POST', '/v1/chat/completions'], ['POST', '/v1/responses'], ['POST', '/v1/embeddings'],
  ])('%s %s answers 404 Not Found', async (method, path) => {
    const res = await fetch(`http://127.0.0.1:${plain.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${plain.token}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Not Found');
  });

  it('still serves /tools/invoke', async () => {
    const res = await fetch(`http://127.0.0.1:${plain.port}/tools/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${plain.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tool: 'gateway_status' }),
    });
    expect(res.status).toBe(200);
  });
});
