import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolInputError } from '../../../actors/tools/registry.js';
import { CodedError } from '../../helpers/fake-run-service.js';
import { httpApiHarness, readSse, type HttpApiHarness } from '../../helpers/http-api-harness.js';

const user = (content: unknown) => ({ role: 'user', content });
const chat = (extra: Record<string, unknown> = {}) => ({ model: 'openclaw', messages: [user('hi')], ...extra });

let h: HttpApiHarness;
beforeEach(() => {
  h = httpApiHarness({ agents: { defaultId: 'main', ids: ['main', 'beta'] } });
});
afterEach(() => h.close());

describe('switches', () => {
  const paths: Array<[string, string]> = [
    ['POST', '/v1/chat/completions'], ['POST', '/v1/responses'], ['GET', '/v1/models'], ['GET', '/v1/models/openclaw'], ['POST', '/v1/embeddings'],
  ];

  it('answers a plain-text 404 on all five paths while both endpoint families are off', async () => {
    h.endpoints = { chatCompletions: false, responses: false };
    for (const [method, path] of paths) {
      const res = await h.call(path, { method, ...(method === 'POST' ? { body: {} } : {}) });
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe('Not Found');
    }
  });

  it('chatCompletions alone enables its companions but not /v1/responses', async () => {
    h.endpoints = { chatCompletions: true, responses: false };
    expect((await h.call('/v1/models')).status).toBe(200);
    expect((await h.call('/v1/responses', { body: { model: 'openclaw', input: 'hi' } })).status).toBe(404);
    expect((await h.call('/v1/chat/completions', { body: chat() })).status).toBe(200);
  });

  it('responses alone enables its companions but not /v1/chat/completions', async () => {
    h.endpoints = { chatCompletions: false, responses: true };
    expect((await h.call('/v1/models')).status).toBe(200);
    expect((await h.call('/v1/chat/completions', { body: chat() })).status).toBe(404);
    expect((await h.call('/v1/responses', { body: { model: 'openclaw', input: 'hi' } })).status).toBe(200);
  });

  it('keeps /tools/invoke on while the /v1 endpoints are off', async () => {
    h.endpoints = { chatCompletions: false, responses: false };
    expect((await h.call('/tools/invoke', { body: { tool: 'gateway_status' } })).status).toBe(200);
  });
});

describe('auth and methods', () => {
  it('answers 401 without a bearer and with a wrong one', async () => {
    for (const token of [null, 'wrong-token']) {
      const res = await h.call('/v1/models', { token });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { message: 'Unauthorized', type: 'unauthorized' } });
    }
    expect((await h.call('/tools/invoke', { body: { tool: 'gateway_status' }, token: 'nope' })).status).toBe(401);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const get = await h.call('/v1/chat/completions');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = await h.call('/v1/models', { body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('answers 413 for a body over the limit and 400 for one that is not JSON', async () => {
    const big = await h.call('/tools/invoke', { body: JSON.stringify({ tool: 'gateway_status', pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { message: 'Payload too large', type: 'invalid_request_error' } });
    const bad = await h.call('/v1/chat/completions', { body: '{' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: 'Invalid JSON body', type: 'invalid_request_error' } });
  });
});

describe('models', () => {
  it('lists the agents as model ids', async () => {
    const res = await h.call('/v1/models');
    const model = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'openclaw', permission: [] });
    expect(await res.json()).toEqual({
      object: 'list',
      data: [model('openclaw'), model('openclaw/default'), model('openclaw/main'), model('openclaw/beta')],
    });
  });

  it('retrieves a URL-encoded id and 404s an unknown one', async () => {
    expect(await (await h.call('/v1/models/openclaw%2Fbeta')).json()).toMatchObject({ id: 'openclaw/beta', object: 'model' });
    const unknown = await h.call('/v1/models/gpt-4o');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: "Model 'gpt-4o' not found.", type: 'invalid_request_error' } });
  });
});

describe('POST /v1/chat/completions', () => {
  it('answers one completion with the requested model string and usage', async () => {
    const res = await h.call('/v1/chat/completions', { body: chat({ model: 'openclaw/beta' }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'openclaw/beta',
      choices: [{ index: 0, message: { role: 'assistant', content: 'echo: hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
    expect(body.id).toMatch(/^chatcmpl_[0-9a-f-]{36}$/);
    expect(h.runs.lastRequest()).toMatchObject({ agentId: 'beta', origin: 'http', message: 'hi' });
  });

  it('rejects a model that is not an agent', async () => {
    const res = await h.call('/v1/chat/completions', { body: chat({ model: 'gpt-4o' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: 'Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.', type: 'invalid_request_error' } });
    const unknown = await h.call('/v1/chat/completions', { body: chat({ model: 'openclaw/ghost' }) });
    expect(await unknown.json()).toEqual({ error: { message: "Unknown agent 'ghost'.", type: 'invalid_request_error' } });
    expect(h.runs.runs.size).toBe(0);
  });

  it('accepts openclaw:<id> and agent:<id>', async () => {
    await h.call('/v1/chat/completions', { body: chat({ model: 'openclaw:beta' }) });
    expect(h.runs.lastRequest()?.agentId).toBe('beta');
    await h.call('/v1/chat/completions', { body: chat({ model: 'agent:main' }) });
    expect(h.runs.lastRequest()?.agentId).toBe('main');
  });

  it('derives a stable session from `user` and a fresh one without it', async () => {
    await h.call('/v1/chat/completions', { body: chat({ user: 'alice' }) });
    const first = h.runs.lastRequest()?.sessionKey;
    await h.call('/v1/chat/completions', { body: chat({ user: 'alice' }) });
    expect(h.runs.lastRequest()?.sessionKey).toBe(first);
    expect(first).toBe('agent:main:openai-user:alice');
    await h.call('/v1/chat/completions', { body: chat() });
    const a = h.runs.lastRequest()?.sessionKey;
    await h.call('/v1/chat/completions', { body: chat() });
    expect(h.runs.lastRequest()?.sessionKey).not.toBe(a);
    expect(a).toMatch(/^agent:main:openai:[0-9a-f-]{36}$/);
  });

  it('honours x-openclaw-model, x-openclaw-agent-id and x-openclaw-session-key', async () => {
    await h.call('/v1/chat/completions', {
      body: chat(),
      headers: { 'x-openclaw-model': 'offline/echo', 'x-openclaw-agent-id': 'beta', 'x-openclaw-session-key': 'desk' },
    });
    expect(h.runs.lastRequest()).toMatchObject({ model: 'offline/echo', agentId: 'beta', sessionKey: 'agent:beta:desk' });
    const reserved = await h.call('/v1/chat/completions', { body: chat(), headers: { 'x-openclaw-session-key': 'cron:nightly' } });
    expect(reserved.status).toBe(400);
  });

  it('turns system messages into the extra system prompt and quotes earlier turns', async () => {
    await h.call('/v1/chat/completions', {
      body: chat({ messages: [{ role: 'system', content: 'be brief' }, user('one'), { role: 'assistant', content: 'two' }, user([{ type: 'text', text: 'three' }])] }),
    });
    const request = h.runs.lastRequest();
    expect(request?.extraSystemPrompt).toBe('be brief');
    expect(request?.message).toBe(
      '[Chat messages since your last reply - for context]\nUser: one\nAssistant: two\n\n[Current message - respond to this]\nUser: three',
    );
    const none = await h.call('/v1/chat/completions', { body: chat({ messages: [{ role: 'system', content: 'x' }] }) });
    expect(await none.json()).toEqual({ error: { message: 'Missing user message in `messages`.', type: 'invalid_request_error' } });
  });

  it('streams a role chunk, content deltas, a stop chunk, the usage chunk and [DONE]', async () => {
    h.runs.script = [{ deltas: ['Hel', 'lo'] }];
    const res = await h.call('/v1/chat/completions', { body: chat({ stream: true, stream_options: { include_usage: true } }) });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    expect(events.at(-1)).toEqual({ data: '[DONE]' });
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { id: string; choices: Array<{ delta: unknown; finish_reason: unknown }>; usage?: unknown });
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant' }, { content: 'Hel' }, { content: 'lo' }, {}, null]);
    expect(chunks[3]?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks[4]).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('keeps the run going when the client disconnects mid-stream', async () => {
    h.runs.script = [{ deltas: ['a', 'b', 'c', 'd', 'e', 'f'] }];
    const res = await h.call('/v1/chat/completions', { body: chat({ stream: true }) });
    const reader = res.body!.getReader();
    await reader.read(); // the role chunk
    const runId = [...h.runs.runs.keys()][0]!;
    await reader.cancel();
    expect(h.runs.listenerCount(runId)).toBe(0);
    const outcome = await h.runs.settled(runId);
    expect(outcome).toMatchObject({ status: 'ok', text: 'abcdef' });
  });

  it('maps a failed run to 502 (plain) and to an error event (streamed)', async () => {
    h.runs.script = [{ deltas: [], status: 'error', error: { code: 'PROVIDER_ERROR', message: 'upstream said no' } }];
    const plain = await h.call('/v1/chat/completions', { body: chat() });
    expect(plain.status).toBe(502);
    expect(await plain.json()).toEqual({ error: { message: 'upstream said no', type: 'api_error' } });
    const events = await readSse(await h.call('/v1/chat/completions', { body: chat({ stream: true }) }));
    expect(events.map((e) => e.data).slice(-2)).toEqual([JSON.stringify({ error: { message: 'upstream said no', type: 'api_error' } }), '[DONE]']);
  });

  it('answers 400 with its message when the run service refuses the request (unknown model…)', async () => {
    h.runs.refuse = new CodedError('UNKNOWN_MODEL', 'unknown model provider in "nowhere/x"');
    const res = await h.call('/v1/chat/completions', { body: chat(), headers: { 'x-openclaw-model': 'nowhere/x' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: 'unknown model provider in "nowhere/x"', type: 'invalid_request_error' } });
  });

  it('answers 500 without details when the run service fails unexpectedly', async () => {
    h.runs.refuse = new Error('disk on fire');
    const res = await h.call('/v1/chat/completions', { body: chat() });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: 'internal error', type: 'api_error' } });
    expect(h.logs.join('')).toContain('disk on fire');
  });
});

describe('POST /v1/responses', () => {
  it('answers a completed response resource', async () => {
    const res = await h.call('/v1/responses', { body: { model: 'openclaw', input: 'hi', instructions: 'be brief' } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'openclaw',
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'echo: hi' }] }],
      usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 },
    });
    expect(body.id).toMatch(/^resp_/);
    expect(h.runs.lastRequest()).toMatchObject({ extraSystemPrompt: 'be brief', message: 'hi' });
  });

  it('streams the event sequence and ends with [DONE]', async () => {
    h.runs.script = [{ deltas: ['He', 'y'] }];
    const events = await readSse(await h.call('/v1/responses', { body: { model: 'openclaw', input: [{ role: 'user', content: 'hi' }], stream: true } }));
    expect(events.map((e) => e.event ?? e.data)).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      'response.output_text.delta', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done',
      'response.output_item.done', 'response.completed', '[DONE]',
    ]);
    const payloads = events.slice(0, -1).map((e) => JSON.parse(e.data) as { type: string; sequence_number: number; text?: string; response?: { status: string } });
    expect(payloads.map((p) => p.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(payloads.every((p, i) => p.type === events[i]?.event)).toBe(true);
    expect(payloads[6]?.text).toBe('Hey');
    expect(payloads[9]?.response?.status).toBe('completed');
  });

  it('continues the session of previous_response_id and refuses an unknown one', async () => {
    const first = (await (await h.call('/v1/responses', { body: { model: 'openclaw', input: 'one' } })).json()) as { id: string };
    const session = h.runs.lastRequest()?.sessionKey;
    await h.call('/v1/responses', { body: { model: 'openclaw', input: 'two', previous_response_id: first.id } });
    expect(h.runs.lastRequest()?.sessionKey).toBe(session);
    const unknown = await h.call('/v1/responses', { body: { model: 'openclaw', input: 'x', previous_response_id: 'resp_nope' } });
    expect(unknown.status).toBe(400);
  });

  it('ends a failed streamed run with response.failed', async () => {
    h.runs.script = [{ deltas: ['par'], status: 'error', error: { code: 'PROVIDER_ERROR', message: 'boom' } }];
    const events = await readSse(await h.call('/v1/responses', { body: { model: 'openclaw', input: 'hi', stream: true } }));
    const failed = events.find((e) => e.event === 'response.failed');
    expect(JSON.parse(failed!.data)).toMatchObject({ response: { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'boom' } } });
  });
});

describe('POST /v1/embeddings', () => {
  it('says clearly that no provider supports embeddings', async () => {
    const res = await h.call('/v1/embeddings', { body: { model: 'openclaw', input: 'hello' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: "Embeddings are not available for agent 'main': no provider supports embeddings.", type: 'invalid_request_error' },
    });
  });

  it('answers floats, or little-endian float32 base64 when asked', async () => {
    h.runs.embeddings = (input) => input.map((_, i) => [i, 0.5]);
    const floats = (await (await h.call('/v1/embeddings', { body: { model: 'openclaw', input: ['a', 'b'] } })).json()) as { data: unknown[] };
    expect(floats).toMatchObject({ object: 'list', model: 'openclaw', data: [{ object: 'embedding', index: 0, embedding: [0, 0.5] }, { index: 1, embedding: [1, 0.5] }] });
    const b64 = (await (await h.call('/v1/embeddings', { body: { model: 'openclaw', input: 'a', encoding_format: 'base64' } })).json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(b64.data[0]!.embedding, 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([0, 0.5]);
  });

  it('validates model and input', async () => {
    expect(await (await h.call('/v1/embeddings', { body: { model: 'text-embedding-3-small', input: 'a' } })).json()).toEqual({
      error: { message: 'Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.', type: 'invalid_request_error' },
    });
    expect((await h.call('/v1/embeddings', { body: { model: 'openclaw', input: [1] } })).status).toBe(400);
    expect((await h.call('/v1/embeddings', { body: { model: 'openclaw', input: '' } })).status).toBe(400);
  });
});

describe('POST /tools/invoke', () => {
  it('runs an agent-run tool over HTTP', async () => {
    const res = await h.call('/tools/invoke', { body: { tool: 'gateway_status', args: {} } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; result: { content: Array<{ type: string; text: string }>; details: unknown } };
    expect(body.ok).toBe(true);
    expect(body.result.details).toMatchObject({ version: 'test', connections: 0, activeRuns: 0, agents: [{ id: 'main', default: true }, { id: 'beta', default: false }] });
    expect(JSON.parse(body.result.content[0]!.text)).toEqual(body.result.details);
  });

  it('reads a session transcript from the journal, `name` winning over `tool`', async () => {
    await h.journal.append('session:agent:main:main', [
      { type: 'session.message.appended', data: { role: 'user', text: 'hello', runId: 'r1' } },
      { type: 'session.message.appended', data: { role: 'assistant', text: 'hi there', runId: 'r1' } },
    ]);
    const res = await h.call('/tools/invoke', { body: { name: 'session_history', tool: 'exec', sessionKey: 'main', args: { limit: 5 } } });
    const body = (await res.json()) as { result: { details: { sessionKey: string; messages: Array<{ role: string; text: string }> } } };
    expect(body.result.details.sessionKey).toBe('agent:main:main');
    expect(body.result.details.messages.map((m) => [m.role, m.text])).toEqual([['user', 'hello'], ['assistant', 'hi there']]);
  });

  it('refuses a denied tool as not available, even when registered, unless allowed by policy', async () => {
    h.tools.register({ name: 'exec', description: 'runs a command', parameters: { type: 'object' } as never, execute: () => ({ content: [{ type: 'text', text: 'ran' }] }) });
    const denied = await h.call('/tools/invoke', { body: { tool: 'exec', args: { cmd: 'ls' } } });
    expect(denied.status).toBe(404);
    expect(await denied.json()).toEqual({ ok: false, error: { type: 'not_found', message: 'Tool not available: exec' } });
    h.toolPolicy = { allow: ['exec'] };
    expect((await h.call('/tools/invoke', { body: { tool: 'exec' } })).status).toBe(200);
    h.toolPolicy = { deny: ['gateway_status'] };
    expect((await h.call('/tools/invoke', { body: { tool: 'gateway_status' } })).status).toBe(404);
  });

  it('answers unknown tools, a missing name and bad args with the official shapes', async () => {
    expect(await (await h.call('/tools/invoke', { body: { tool: 'qa_missing_tool' } })).json()).toEqual({
      ok: false, error: { type: 'not_found', message: 'Tool not available: qa_missing_tool' },
    });
    const missing = await h.call('/tools/invoke', { body: {} });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ ok: false, error: { type: 'invalid_request', message: 'tools.invoke requires name' } });
    const bad = await h.call('/tools/invoke', { body: { tool: 'session_history', args: { limit: 0 } } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { type: 'invalid_request' } });
  });

  it('answers 400 for a ToolInputError and 500 for a tool that fails', async () => {
    h.tools.register({ name: 'picky', description: '', parameters: { type: 'object' } as never, execute: () => { throw new ToolInputError('needs more'); } });
    h.tools.register({ name: 'broken', description: '', parameters: { type: 'object' } as never, execute: () => { throw new Error('kaput'); } });
    expect(await (await h.call('/tools/invoke', { body: { tool: 'picky' } })).json()).toEqual({ ok: false, error: { type: 'invalid_request', message: 'needs more' } });
    const broken = await h.call('/tools/invoke', { body: { tool: 'broken' } });
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ ok: false, error: { type: 'tool_error', message: 'Tool broken failed' } });
  });
});
