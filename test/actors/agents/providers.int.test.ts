import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../../actors/agents/providers/anthropic.js';
import { OpenAiProvider } from '../../../actors/agents/providers/openai.js';
import { OfflineProvider } from '../../../actors/agents/providers/offline.js';
import { ProviderError, type ModelChunk, type ModelProvider, type ModelRequest } from '../../../actors/agents/providers/types.js';
import { GATEWAY_TOOL_SPECS } from '../../../actors/agents/gateway-tools.js';
import { FAIL_MESSAGE, startFakeAnthropic, startFakeOpenAi, type FakeProvider } from '../../helpers/fake-providers.js';

/** The real SDKs against fake servers speaking the real SSE formats. */

let openaiFake: FakeProvider;
let anthropicFake: FakeProvider;

beforeAll(async () => {
  openaiFake = await startFakeOpenAi();
  anthropicFake = await startFakeAnthropic();
});

afterAll(async () => {
  await openaiFake?.close();
  await anthropicFake?.close();
});

const request = (text: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'fake-model',
  system: 'be brief',
  messages: [{ role: 'user', text }],
  tools: GATEWAY_TOOL_SPECS,
  ...extra,
});

async function collect(provider: ModelProvider, req: ModelRequest, signal = new AbortController().signal): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const chunk of provider.stream(req, signal)) out.push(chunk);
  return out;
}

const text = (chunks: ModelChunk[]) => chunks.flatMap((c) => (c.type === 'delta' ? [c.text] : [])).join('');

describe.each([
  ['openai', () => new OpenAiProvider({ name: 'fakeai', baseUrl: openaiFake.baseUrl, apiKey: 'sk-test-secret', model: 'fake-model', maxRetries: 0 }), () => openaiFake],
  ['anthropic', () => new AnthropicProvider({ name: 'fakeclaude', baseUrl: anthropicFake.baseUrl, apiKey: 'sk-ant-test', model: 'fake-model', maxRetries: 0 }), () => anthropicFake],
] as const)('%s provider through its SDK', (kind, make, fake) => {
  it('streams the reply in several deltas, then usage and done', async () => {
    const chunks = await collect(make(), request('hi there'));
    expect(chunks.filter((c) => c.type === 'delta').length).toBeGreaterThanOrEqual(3);
    expect(text(chunks)).toBe(`Hello from fake ${kind}: hi there`);
    const usage = chunks.find((c) => c.type === 'usage');
    expect(usage).toMatchObject({ type: 'usage', usage: { input: expect.any(Number), output: expect.any(Number) } });
    expect(chunks.at(-1)).toEqual({ type: 'done', stopReason: kind === 'openai' ? 'stop' : 'end_turn' });
  });

  it('sends the system prompt, the conversation and the gateway tools, with the key', async () => {
    await collect(make(), request('check the request', { messages: [{ role: 'user', text: 'before' }, { role: 'assistant', text: 'earlier answer' }, { role: 'user', text: 'check the request' }] }));
    const last = fake().requests.at(-1);
    expect(last?.body.stream).toBe(true);
    const tools = last?.body.tools as Array<Record<string, unknown>>;
    expect(tools.length).toBe(GATEWAY_TOOL_SPECS.length);
    if (kind === 'openai') {
      expect(last?.headers.authorization).toBe('Bearer sk-test-secret');
      expect((last?.body.messages as unknown[])[0]).toEqual({ role: 'system', content: 'be brief' });
      expect((last?.body.messages as unknown[]).length).toBe(4);
    } else {
      // This SDK line sends the key as a bearer token (older ones used x-api-key).
      expect([last?.headers['x-api-key'], last?.headers.authorization]).toContain(last?.headers['x-api-key'] ? 'sk-ant-test' : 'Bearer sk-ant-test');
      expect(last?.body.system).toBe('be brief');
      expect((last?.body.messages as unknown[]).length).toBe(3);
    }
  });

  it('yields a tool call, and takes its result back', async () => {
    const first = await collect(make(), request('please tool'));
    const call = first.find((c) => c.type === 'tool_call');
    expect(call).toMatchObject({ type: 'tool_call', call: { name: 'gateway_status', arguments: '{}' } });
    if (call?.type !== 'tool_call') throw new Error('no tool call');
    const second = await collect(make(), request('please tool', {
      messages: [
        { role: 'user', text: 'please tool' },
        { role: 'assistant', text: '', toolCalls: [call.call] },
        { role: 'tool', toolCallId: call.call.id, name: 'gateway_status', result: '{"version":"x"}' },
      ],
    }));
    expect(text(second)).toContain('Status received: {"version":"x"}');
  });

  it('fails with a ProviderError carrying the provider message and HTTP status', async () => {
    const failure = await collect(make(), request('please fail')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).message).toContain(FAIL_MESSAGE);
    expect((failure as ProviderError).httpStatus).toBe(503);
  });

  it('stops quietly when aborted mid-stream', async () => {
    const controller = new AbortController();
    const chunks: ModelChunk[] = [];
    const done = (async () => {
      for await (const chunk of make().stream(request('please hang'), controller.signal)) chunks.push(chunk);
    })();
    while (chunks.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await done;
    expect(text(chunks)).toBe('Thinking');
  });
});

describe('offline provider', () => {
  it('answers deterministically in several deltas', async () => {
    const provider = new OfflineProvider();
    const a = await collect(provider, request('same words'));
    const b = await collect(provider, request('same words'));
    expect(a).toEqual(b);
    expect(a.filter((c) => c.type === 'delta').length).toBeGreaterThanOrEqual(3);
    expect(text(a)).toContain('received: "same words"');
  });

  it('asks for a gateway tool on /tool <name>', async () => {
    const chunks = await collect(new OfflineProvider(), request('/tool presence_roster'));
    expect(chunks).toContainEqual(expect.objectContaining({ type: 'tool_call', call: expect.objectContaining({ name: 'presence_roster' }) }));
    expect(chunks.at(-1)).toEqual({ type: 'done', stopReason: 'tool_use' });
  });

  it('embeds deterministically, and OpenAI embeddings go through the SDK', async () => {
    const offline = await new OfflineProvider().embed(['a', 'b', 'a'], undefined);
    expect(offline.vectors[0]).toEqual(offline.vectors[2]);
    expect(offline.vectors[0]).not.toEqual(offline.vectors[1]);
    const remote = await new OpenAiProvider({ name: 'fakeai', baseUrl: openaiFake.baseUrl, apiKey: 'k', model: 'embed-model', maxRetries: 0 }).embed(['x', 'y'], undefined);
    expect(remote).toEqual({ model: 'embed-model', vectors: [[0, 0.5, -0.5], [1, 0.5, -0.5]], usage: { input: 2 } });
  });
});
