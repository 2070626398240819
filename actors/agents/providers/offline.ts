import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Embeddings, ModelChunk, ModelProvider, ModelRequest } from './types.js';

/** Model id of the built-in provider. */
export const OFFLINE_MODEL = 'echo-1';
const WORDS_PER_CHUNK = 3;
const EMBEDDING_DIMENSIONS = 64;

const words = (text: string): number => text.split(/\s+/).filter((w) => w.length > 0).length;

/**
 * The reply of the offline model: deterministic, from the conversation alone. `/tool <name>` asks
 * for that gateway tool first (so the tool loop works without a network); after tool results it
 * reports them.
 */
export function offlineReply(request: ModelRequest): { text: string; toolCall?: { name: string; arguments: string } } {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') {
    const results = [];
    for (let i = request.messages.length - 1; i >= 0; i -= 1) {
      const message = request.messages[i];
      if (message?.role !== 'tool') break;
      results.unshift(`${message.name} answered: ${message.result.length > 400 ? `${message.result.slice(0, 400)}…` : message.result}`);
    }
    return { text: `Tool results. ${results.join(' ')}` };
  }
  const said = last?.role === 'user' ? last.text.trim() : '';
  const tool = /^\/tool\s+([a-z_][a-z0-9_]*)\s*(\{.*\})?\s*$/is.exec(said);
  if (tool?.[1] && request.tools.some((t) => t.name === tool[1])) return { text: '', toolCall: { name: tool[1], arguments: tool[2] ?? '{}' } };
  const earlier = request.messages.filter((m) => m.role === 'user').length - 1;
  const history = earlier > 0 ? ` This session has ${earlier} earlier message${earlier === 1 ? '' : 's'} from you.` : '';
  return { text: `Offline model (no provider configured) received: "${said}".${history} Configure models.providers to get real answers.` };
}

/** Splits text into chunks of a few words, keeping the whitespace, so it streams as several deltas. */
export function chunksOf(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += WORDS_PER_CHUNK) chunks.push(parts.slice(i, i + WORDS_PER_CHUNK).join(''));
  return chunks;
}

/** The built-in provider used when none is configured: no network, deterministic, streamed. */
export class OfflineProvider implements ModelProvider {
  readonly kind = 'offline' as const;
  readonly defaultModel: string;

  constructor(
    readonly name = 'offline',
    options: { model?: string; delayMs?: number } = {},
  ) {
    this.defaultModel = options.model ?? OFFLINE_MODEL;
    this.delayMs = options.delayMs ?? 0;
  }

  private readonly delayMs: number;

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk> {
    const reply = offlineReply(request);
    const input = words(request.system) + request.messages.reduce((sum, m) => sum + words(m.role === 'tool' ? m.result : m.text), 0);
    for (const chunk of chunksOf(reply.text)) {
      await this.pause(signal);
      if (signal.aborted) return;
      yield { type: 'delta', text: chunk };
    }
    await this.pause(signal);
    if (signal.aborted) return;
    if (reply.toolCall) yield { type: 'tool_call', call: { id: `call_${createHash('sha1').update(reply.toolCall.name + request.messages.length).digest('hex').slice(0, 12)}`, ...reply.toolCall } };
    const output = words(reply.text);
    yield { type: 'usage', usage: { input, output, total: input + output } };
    yield { type: 'done', stopReason: reply.toolCall ? 'tool_use' : 'stop' };
  }

  embed(input: readonly string[], model: string | undefined): Promise<Embeddings> {
    const vectors = input.map((text) => hashVector(text));
    return Promise.resolve({ model: model ?? `${this.defaultModel}-embed`, vectors, usage: { input: input.reduce((sum, t) => sum + words(t), 0) } });
  }

  private async pause(signal: AbortSignal): Promise<void> {
    if (this.delayMs === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    await sleep(this.delayMs, undefined, { signal }).catch((error: unknown) => {
      if (!signal.aborted) throw error;
    });
  }
}

/** A deterministic unit vector for `text` (same text, same vector). */
function hashVector(text: string): number[] {
  const vector: number[] = [];
  for (let block = 0; vector.length < EMBEDDING_DIMENSIONS; block += 1) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && vector.length < EMBEDDING_DIMENSIONS; i += 2) vector.push((digest.readUInt16BE(i) / 65535) * 2 - 1);
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}
