import type OpenAI from 'openai';
import type { ToolCall } from '../../../machines/agent-run.js';
import { ProviderError, kindOfStatus, type Embeddings, type ModelChunk, type ModelProvider, type ModelRequest } from './types.js';

/** Settings of an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio, OpenRouter…). */
export interface OpenAiSettings {
  readonly name: string;
  readonly baseUrl?: string;
  /** Never logged. Local servers often need none: a placeholder is sent then. */
  readonly apiKey?: string;
  readonly model: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxRetries?: number;
  readonly maxTokens?: number;
}

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** Converts our conversation to Chat Completions messages. */
export function openAiMessages(request: ModelRequest): Message[] {
  const messages: Message[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'user') messages.push({ role: 'user', content: message.text });
    else if (message.role === 'tool') messages.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.result });
    else if (message.toolCalls && message.toolCalls.length > 0) {
      messages.push({
        role: 'assistant',
        content: message.text || null,
        tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })),
      });
    } else messages.push({ role: 'assistant', content: message.text });
  }
  return messages;
}

/** The SDK's error as a ProviderError with the provider's own message. */
export function providerErrorOf(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const status = (error as { status?: unknown }).status;
  // OpenAI-style bodies carry `{message}`, Anthropic-style ones `{type:"error", error:{message}}`.
  const body = (error as { error?: unknown }).error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const nested = body?.error?.message;
  const own = typeof body?.message === 'string' ? body.message : typeof nested === 'string' ? nested : undefined;
  const message = own ?? (error instanceof Error ? error.message : String(error));
  const httpStatus = typeof status === 'number' ? status : undefined;
  return new ProviderError(httpStatus !== undefined && own !== undefined ? `${httpStatus} ${own}` : message, kindOfStatus(httpStatus, message), httpStatus, { cause: error });
}

/** An OpenAI-compatible provider through the `openai` SDK (loaded on first use). */
export class OpenAiProvider implements ModelProvider {
  readonly kind = 'openai' as const;
  readonly name: string;
  readonly defaultModel: string;
  private client: Promise<OpenAI> | undefined;

  constructor(private readonly settings: OpenAiSettings) {
    this.name = settings.name;
    this.defaultModel = settings.model;
  }

  private sdk(): Promise<OpenAI> {
    this.client ??= import('openai').then(({ default: OpenAIClient }) => new OpenAIClient({
      apiKey: this.settings.apiKey ?? 'not-needed',
      ...(this.settings.baseUrl ? { baseURL: this.settings.baseUrl } : {}),
      ...(this.settings.headers ? { defaultHeaders: { ...this.settings.headers } } : {}),
      maxRetries: this.settings.maxRetries ?? 2,
    }));
    return this.client;
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk> {
    const client = await this.sdk();
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let stopReason = 'stop';
    try {
      const stream = await client.chat.completions.create(
        {
          model: request.model,
          messages: openAiMessages(request),
          stream: true,
          stream_options: { include_usage: true },
          ...(this.settings.maxTokens ? { max_tokens: this.settings.maxTokens } : {}),
          ...(request.tools.length > 0
            ? { tools: request.tools.map((tool) => ({ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } })) }
            : {}),
        },
        { signal },
      );
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const text = choice?.delta.content;
        if (text) yield { type: 'delta', text };
        for (const part of choice?.delta.tool_calls ?? []) {
          const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
          calls.set(part.index, {
            id: part.id ?? call.id,
            name: call.name + (part.function?.name ?? ''),
            arguments: call.arguments + (part.function?.arguments ?? ''),
          });
        }
        if (choice?.finish_reason) stopReason = choice.finish_reason;
        if (chunk.usage) {
          const input = chunk.usage.prompt_tokens;
          const output = chunk.usage.completion_tokens;
          const cacheRead = chunk.usage.prompt_tokens_details?.cached_tokens;
          yield { type: 'usage', usage: { input, output, total: chunk.usage.total_tokens ?? input + output, ...(cacheRead ? { cacheRead } : {}) } };
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw providerErrorOf(error);
    }
    for (const [index, call] of [...calls.entries()].sort(([a], [b]) => a - b)) {
      const toolCall: ToolCall = { id: call.id || `call_${index}`, name: call.name, arguments: call.arguments };
      yield { type: 'tool_call', call: toolCall };
    }
    yield { type: 'done', stopReason };
  }

  async embed(input: readonly string[], model: string | undefined, signal?: AbortSignal): Promise<Embeddings> {
    const client = await this.sdk();
    try {
      const response = await client.embeddings.create({ model: model ?? this.defaultModel, input: [...input] }, signal ? { signal } : {});
      return {
        model: response.model,
        vectors: [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding),
        usage: { input: response.usage.prompt_tokens },
      };
    } catch (error) {
      throw providerErrorOf(error);
    }
  }
}
