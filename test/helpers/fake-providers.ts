import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Fake model providers on 127.0.0.1 speaking the real wire formats (OpenAI Chat Completions SSE,
 * Anthropic Messages SSE), so tests drive the real `openai` and `@anthropic-ai/sdk` clients.
 * What a fake does is chosen by the last user message (or tool result):
 *
 *   "please fail"  → 503 with a provider error body ("fake provider overloaded")
 *   "please hang"  → streams one chunk, then nothing (until the client goes away)
 *   "please slow"  → 8 chunks, 150 ms apart
 *   "please tool"  → asks for the `gateway_status` tool; after its result, reports it
 *   "please tag t-x" → "reply-t-x " as the first chunk, then "Hello from fake <kind>." (a reply a page can spot)
 *   anything else  → "Hello from fake <kind>: <message>" in a few chunks, with usage
 */

export interface FakeRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakeProvider {
  readonly kind: 'openai' | 'anthropic';
  /** Base URL for the SDK (`…/v1` for OpenAI, the root for Anthropic). */
  readonly baseUrl: string;
  readonly requests: FakeRequest[];
  /** Connections the fake saw closed by the client before the response ended. */
  readonly abandoned: () => number;
  close(): Promise<void>;
}

export const FAIL_MESSAGE = 'fake provider overloaded';
const SLOW_CHUNKS = 8;
const SLOW_DELAY_MS = 150;

type Message = { role?: unknown; content?: unknown };

/** The text the fake reacts to: the last user turn's text or tool result. */
function lastInput(messages: readonly Message[]): { text: string; isToolResult: boolean } {
  const last = messages.at(-1);
  if (!last) return { text: '', isToolResult: false };
  if (last.role === 'tool') return { text: String(last.content), isToolResult: true };
  if (typeof last.content === 'string') return { text: last.content, isToolResult: false };
  if (Array.isArray(last.content)) {
    const blocks = last.content as Array<{ type?: unknown; text?: unknown; content?: unknown }>;
    const result = blocks.find((b) => b.type === 'tool_result');
    if (result) return { text: typeof result.content === 'string' ? result.content : JSON.stringify(result.content), isToolResult: true };
    return { text: blocks.map((b) => (typeof b.text === 'string' ? b.text : '')).join(''), isToolResult: false };
  }
  return { text: '', isToolResult: false };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunks(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

type Plan =
  | { kind: 'fail' }
  | { kind: 'hang'; first: string }
  | { kind: 'text'; parts: string[]; delayMs: number }
  | { kind: 'tool'; name: string };

function planFor(fakeKind: string, messages: readonly Message[]): Plan {
  const { text, isToolResult } = lastInput(messages);
  if (isToolResult) return { kind: 'text', parts: chunks(`Status received: ${text.slice(0, 120)}`, 3), delayMs: 0 };
  if (text.includes('please fail')) return { kind: 'fail' };
  if (text.includes('please hang')) return { kind: 'hang', first: 'Thinking' };
  if (text.includes('please tool')) return { kind: 'tool', name: 'gateway_status' };
  // The newest "please tag" anywhere in the prompt: a gateway may append its own context after the user's turn.
  const tag = [...JSON.stringify(messages).matchAll(/please tag (t-[a-z0-9]+)/g)].at(-1)?.[1];
  if (tag) return { kind: 'text', parts: [`reply-${tag} `, ...chunks(`Hello from fake ${fakeKind}.`, 3)], delayMs: 0 };
  if (text.includes('please slow')) return { kind: 'text', parts: Array.from({ length: SLOW_CHUNKS }, (_, i) => `part${i} `), delayMs: SLOW_DELAY_MS };
  return { kind: 'text', parts: chunks(`Hello from fake ${fakeKind}: ${text}`, 4), delayMs: 0 };
}

async function startFake(kind: 'openai' | 'anthropic', handle: (plan: Plan, body: Record<string, unknown>, response: ServerResponse, alive: () => boolean) => Promise<void>): Promise<FakeProvider> {
  const requests: FakeRequest[] = [];
  let abandoned = 0;
  const open = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      open.add(response);
      let gone = false;
      response.on('close', () => {
        open.delete(response);
        if (!response.writableEnded) {
          gone = true;
          abandoned += 1;
        }
      });
      if (request.url?.endsWith('/embeddings')) {
        const input = Array.isArray(body.input) ? body.input : [body.input];
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({
          object: 'list',
          data: input.map((_, index) => {
            const vector = [index, 0.5, -0.5];
            // The SDK asks for base64 (little-endian float32) unless told otherwise.
            const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
            return { object: 'embedding', index, embedding };
          }),
          model: String(body.model),
          usage: { prompt_tokens: input.length, total_tokens: input.length },
        }));
        return;
      }
      const plan = planFor(kind, (body.messages as Message[] | undefined) ?? []);
      if (plan.kind === 'fail') {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(kind === 'openai' ? { error: { message: FAIL_MESSAGE, type: 'server_error', code: null } } : { type: 'error', error: { type: 'overloaded_error', message: FAIL_MESSAGE } }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      await handle(plan, body, response, () => !gone);
    })().catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    kind,
    baseUrl: kind === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`,
    requests,
    abandoned: () => abandoned,
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fake OpenAI-compatible `/v1/chat/completions` (SSE) and `/v1/embeddings`. */
export function startFakeOpenAi(): Promise<FakeProvider> {
  return startFake('openai', async (plan, body, response, alive) => {
    const model = String(body.model);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    response.write(chunk({ role: 'assistant', content: '' }));
    if (plan.kind === 'hang') {
      response.write(chunk({ content: plan.first }));
      return; // never ends: the client times out or aborts
    }
    if (plan.kind === 'tool') {
      response.write(chunk({ tool_calls: [{ index: 0, id: 'call_fake_1', type: 'function', function: { name: plan.name, arguments: '' } }] }));
      response.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }));
      response.write(chunk({}, 'tool_calls'));
    } else if (plan.kind === 'text') {
      for (const part of plan.parts) {
        if (!alive()) return;
        response.write(chunk({ content: part }));
        if (plan.delayMs > 0) await sleep(plan.delayMs);
      }
      response.write(chunk({}, 'stop'));
    }
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    response.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [], usage })}\n\n`);
    response.end('data: [DONE]\n\n');
  });
}

/** A fake Anthropic `/v1/messages` (SSE). */
export function startFakeAnthropic(): Promise<FakeProvider> {
  return startFake('anthropic', async (plan, body, response, alive) => {
    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    response.write(event('message_start', {
      message: { id: 'msg_fake', type: 'message', role: 'assistant', content: [], model: String(body.model), stop_reason: null, stop_sequence: null, usage: { input_tokens: 13, output_tokens: 1 } },
    }));
    let stop = 'end_turn';
    if (plan.kind === 'hang') {
      response.write(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
      response.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: plan.first } }));
      return;
    }
    if (plan.kind === 'tool') {
      response.write(event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_fake_1', name: plan.name, input: {} } }));
      response.write(event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } }));
      response.write(event('content_block_stop', { index: 0 }));
      stop = 'tool_use';
    } else if (plan.kind === 'text') {
      response.write(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
      for (const part of plan.parts) {
        if (!alive()) return;
        response.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: part } }));
        if (plan.delayMs > 0) await sleep(plan.delayMs);
      }
      response.write(event('content_block_stop', { index: 0 }));
    }
    response.write(event('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 9 } }));
    response.end(event('message_stop', {}));
  });
}
