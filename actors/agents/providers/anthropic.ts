import type Anthropic from '@anthropic-ai/sdk';
import { providerErrorOf } from './openai.js';
import { ProviderError, type Embeddings, type ModelChunk, type ModelProvider, type ModelRequest } from './types.js';
import { parseArguments } from './types.js';

/** Settings of an Anthropic Messages endpoint. */
export interface AnthropicSettings {
  readonly name: string;
  readonly baseUrl?: string;
  /** Never logged. */
  readonly apiKey?: string;
  readonly model: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxRetries?: number;
  readonly maxTokens?: number;
}

const DEFAULT_MAX_TOKENS = 4096;

type Message = Anthropic.Messages.MessageParam;

/** Converts our conversation to Messages API turns (tool results are user turns). */
export function anthropicMessages(request: ModelRequest): Message[] {
  const messages: Message[] = [];
  for (const message of request.messages) {
    if (message.role === 'user') messages.push({ role: 'user', content: message.text });
    else if (message.role === 'tool') {
      const block: Anthropic.Messages.ToolResultBlockParam = { type: 'tool_result', tool_use_id: message.toolCallId, content: message.result };
      const previous = messages.at(-1);
      if (previous?.role === 'user' && Array.isArray(previous.content)) previous.content.push(block);
      else messages.push({ role: 'user', content: [block] });
    } else if (message.toolCalls && message.toolCalls.length > 0) {
      const content: Anthropic.Messages.ContentBlockParam[] = message.text ? [{ type: 'text', text: message.text }] : [];
      for (const call of message.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseArguments(call.arguments) });
      messages.push({ role: 'assistant', content });
    } else messages.push({ role: 'assistant', content: message.text });
  }
  return messages;
}

/** Anthropic through `@anthropic-ai/sdk` (loaded on first use). */
export class AnthropicProvider implements ModelProvider {
  readonly kind = 'anthropic' as const;
  readonly name: string;
  readonly defaultModel: string;
  private client: Promise<Anthropic> | undefined;

  constructor(private readonly settings: AnthropicSettings) {
    this.name = settings.name;
    this.defaultModel = settings.model;
  }

  private sdk(): Promise<Anthropic> {
    this.client ??= import('@anthropic-ai/sdk').then(({ default: AnthropicClient }) => new AnthropicClient({
      apiKey: this.settings.apiKey ?? null,
      ...(this.settings.baseUrl ? { baseURL: this.settings.baseUrl } : {}),
      ...(this.settings.headers ? { defaultHeaders: { ...this.settings.headers } } : {}),
      maxRetries: this.settings.maxRetries ?? 2,
    }));
    return this.client;
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk> {
    const client = await this.sdk();
    const blocks = new Map<number, { id: string; name: string; json: string }>();
    let stopReason = 'end_turn';
    let input = 0;
    let output = 0;
    let cacheRead = 0;
    let cacheWrite = 0;
    try {
      const stream = await client.messages.create(
        {
          model: request.model,
          max_tokens: this.settings.maxTokens ?? DEFAULT_MAX_TOKENS,
          messages: anthropicMessages(request),
          stream: true,
          ...(request.system ? { system: request.system } : {}),
          ...(request.tools.length > 0
            ? { tools: request.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: { type: 'object' as const, ...tool.parameters } })) }
            : {}),
        },
        { signal },
      );
      for await (const event of stream) {
        switch (event.type) {
          case 'message_start':
            input = event.message.usage.input_tokens;
            output = event.message.usage.output_tokens;
            cacheRead = event.message.usage.cache_read_input_tokens ?? 0;
            cacheWrite = event.message.usage.cache_creation_input_tokens ?? 0;
            break;
          case 'content_block_start':
            if (event.content_block.type === 'tool_use') blocks.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) yield { type: 'delta', text: event.delta.text };
            else if (event.delta.type === 'input_json_delta') {
              const block = blocks.get(event.index);
              if (block) block.json += event.delta.partial_json;
            }
            break;
          case 'message_delta':
            if (event.delta.stop_reason) stopReason = event.delta.stop_reason;
            output = event.usage.output_tokens;
            if (typeof event.usage.input_tokens === 'number') input = event.usage.input_tokens;
            break;
          default:
            break;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error instanceof ProviderError ? error : providerErrorOf(error);
    }
    yield {
      type: 'usage',
      usage: { input, output, total: input + output + cacheRead + cacheWrite, ...(cacheRead ? { cacheRead } : {}), ...(cacheWrite ? { cacheWrite } : {}) },
    };
    for (const block of [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b)) {
      yield { type: 'tool_call', call: { id: block.id, name: block.name, arguments: block.json || '{}' } };
    }
    yield { type: 'done', stopReason };
  }

  embed(): Promise<Embeddings> {
    return Promise.reject(new ProviderError(`provider ${this.name} (anthropic) has no embeddings endpoint`));
  }
}
