import { isEmbeddingsRequest, type EmbeddingList } from '../../protocol/http/openai.js';
import { INVALID_MODEL_MESSAGE, agentOfModel, resolveTarget } from './agent-target.js';
import type { HttpApiDeps } from './deps.js';
import { bodyFailure, header, json, openAiError, readJsonBody } from './io.js';

export const EMBEDDINGS_BODY_LIMIT = 5 * 1024 * 1024;
const MAX_INPUTS = 128;
const MAX_INPUT_CHARS = 8192;
const MAX_TOTAL_CHARS = 65_536;

/** Error codes `RunService.embed` throws with when no configured provider can embed. */
const NO_PROVIDER_CODES = new Set(['EMBEDDINGS_UNAVAILABLE', 'EMBEDDINGS_UNSUPPORTED', 'NO_EMBEDDING_PROVIDER', 'UNSUPPORTED']);

/**
 * `POST /v1/embeddings` through `RunService.embed` (the agent's provider, or `x-openclaw-model`).
 * OpenAI SDKs ask for `encoding_format:"base64"` by default: little-endian float32, base64.
 */
export function embeddingsRoute(deps: HttpApiDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await readJsonBody(request, EMBEDDINGS_BODY_LIMIT);
    if (!body.ok) return bodyFailure(body.reason);
    const raw = body.value as { model?: unknown } | null;
    if (typeof raw !== 'object' || raw === null || typeof raw.model !== 'string' || !raw.model.trim()) {
      return openAiError(400, 'Missing `model`.', 'invalid_request_error');
    }
    if (agentOfModel(raw.model) === null) return openAiError(400, INVALID_MODEL_MESSAGE, 'invalid_request_error');
    if (!isEmbeddingsRequest(body.value)) {
      return openAiError(400, '`input` must be a string or an array of strings.', 'invalid_request_error');
    }
    const params = body.value;
    const texts = typeof params.input === 'string' ? [params.input] : params.input;
    const problem = inputProblem(texts);
    if (problem) return openAiError(400, problem, 'invalid_request_error');
    const runs = deps.runs();
    const target = resolveTarget(request, { model: params.model, user: undefined, prefix: 'openai' }, runs.agentIds());
    if (!target.ok) return openAiError(400, target.message, 'invalid_request_error');

    let result: Awaited<ReturnType<typeof runs.embed>>;
    try {
      result = await runs.embed(texts, header(request, 'x-openclaw-model'));
    } catch (error) {
      if (isNoProvider(error)) {
        const detail = error instanceof Error && error.message && !NO_PROVIDER_CODES.has(error.message) ? error.message : 'no configured provider supports embeddings';
        return openAiError(400, `Embeddings are not available for agent '${target.agentId}': ${detail}.`, 'invalid_request_error');
      }
      deps.services.logger.error('embeddings failed', { error: String(error) });
      return openAiError(502, 'embedding provider failed', 'api_error');
    }
    const base64 = params.encoding_format === 'base64';
    const list: EmbeddingList = {
      object: 'list',
      data: result.vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? encodeFloat32(vector) : vector })),
      model: params.model,
      usage: { prompt_tokens: result.usage.input, total_tokens: result.usage.input },
    };
    return json(list);
  };
}

function inputProblem(texts: readonly string[]): string | null {
  if (texts.length === 0 || texts.some((t) => t.length === 0)) return '`input` must contain at least one non-empty string.';
  if (texts.length > MAX_INPUTS) return `Too many inputs (max ${MAX_INPUTS}).`;
  let total = 0;
  for (const text of texts) {
    if (text.length > MAX_INPUT_CHARS) return `Input too long (max ${MAX_INPUT_CHARS} chars).`;
    total += text.length;
    if (total > MAX_TOTAL_CHARS) return `Total input too large (max ${MAX_TOTAL_CHARS} chars).`;
  }
  return null;
}

function isNoProvider(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, key, reason } = error as { code?: unknown; key?: unknown; reason?: unknown };
  return [code, key, reason].some((v) => typeof v === 'string' && NO_PROVIDER_CODES.has(v));
}

/** Little-endian float32 bytes, base64 (what `encoding_format:"base64"` means). */
export function encodeFloat32(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}
