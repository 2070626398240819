import type { RunError, RunUsage } from '../../../protocol/run-facts.js';
import type { ToolCall } from '../../../machines/agent-run.js';

/** A message of the conversation handed to a model. */
export type ModelMessage =
  | { readonly role: 'user'; readonly text: string }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls?: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly name: string; readonly result: string };

/** A gateway tool as the model sees it (JSON Schema parameters). */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

/** One model call. */
export interface ModelRequest {
  readonly model: string;
  readonly system: string;
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolSpec[];
}

/** What a streaming model call yields. */
export type ModelChunk =
  | { readonly type: 'delta'; readonly text: string }
  | { readonly type: 'tool_call'; readonly call: ToolCall }
  | { readonly type: 'usage'; readonly usage: RunUsage }
  | { readonly type: 'done'; readonly stopReason: string };

/** Vectors for `embed`. */
export interface Embeddings {
  readonly model: string;
  readonly vectors: number[][];
  readonly usage: { input: number };
}

/** A model provider: streams one call, honouring `signal`; failures are ProviderErrors. */
export interface ModelProvider {
  /** Name in `models.providers` (`offline` for the built-in one). */
  readonly name: string;
  readonly kind: 'openai' | 'anthropic' | 'offline';
  readonly defaultModel: string;
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk>;
  embed(input: readonly string[], model: string | undefined, signal?: AbortSignal): Promise<Embeddings>;
}

/** A provider failure carrying what the wire needs: the provider's own message, kind and HTTP status. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly kind: NonNullable<RunError['kind']> = 'unknown',
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
  }

  /** The journaled form (`run.failed.error`). */
  toRunError(provider: string): RunError {
    return {
      key: 'PROVIDER_FAILED',
      code: 'UNAVAILABLE',
      message: `${provider}: ${this.message}`,
      kind: this.kind,
      ...(this.httpStatus !== undefined && this.httpStatus >= 100 && this.httpStatus <= 599 ? { httpStatus: this.httpStatus } : {}),
    };
  }
}

/** Kind of failure for an HTTP status (what `chat` error events call `errorKind`). */
export function kindOfStatus(status: number | undefined, message: string): NonNullable<RunError['kind']> {
  if (status === 429) return 'rate_limit';
  if (/context.{0,20}(length|window)|too many tokens|maximum context/i.test(message)) return 'context_length';
  return 'unknown';
}

/** Parses a tool call's JSON arguments; `{}` for empty or malformed input. */
export function parseArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {}; // a model's malformed arguments are its own problem; the tool sees no arguments
  }
}
