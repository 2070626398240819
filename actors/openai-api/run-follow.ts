import type { RunOutcome, RunService } from '../agents/run-service.js';
import type { Logger } from '../logs/logger.js';
import { openAiError } from './io.js';

/** How long a non-streamed request waits for its run before answering 504 (the run goes on). */
export const NON_STREAM_WAIT_MS = 15 * 60_000;

/** Callbacks of `followRun`. */
export interface RunFollower {
  delta(delta: string): void;
  end(outcome: RunOutcome): void;
}

/**
 * Subscribes to a run's deltas and end (replayed first when they already happened); returns the
 * unsubscribe. Safe when the end is delivered during `subscribe` itself.
 */
export function followRun(runs: RunService, runId: string, follower: RunFollower): () => void {
  let ended = false;
  let unsubscribe: (() => void) | undefined;
  unsubscribe = runs.subscribe(runId, (event) => {
    if (ended) return;
    if (event.kind === 'delta') {
      if (event.delta) follower.delta(event.delta);
      return;
    }
    ended = true;
    unsubscribe?.();
    follower.end(event.outcome);
  });
  if (ended) unsubscribe();
  return () => {
    ended = true;
    unsubscribe?.();
  };
}

/** The OpenAI error of a run that did not end `ok` (`aborted` ends with what it had, so it is not one). */
export function outcomeFailure(outcome: RunOutcome): Response | null {
  if (outcome.status === 'ok' || outcome.status === 'aborted') return null;
  if (outcome.status === 'timeout') return openAiError(504, outcome.error?.message ?? 'agent run timed out', 'api_error');
  return openAiError(502, outcome.error?.message ?? 'agent run failed', 'api_error');
}

/** Message for a streamed failure (the status line is already sent). */
export function outcomeMessage(outcome: RunOutcome): string {
  return outcome.error?.message ?? (outcome.status === 'timeout' ? 'agent run timed out' : 'agent run failed');
}

/**
 * The answer when `RunService.start` (or `embed`) refuses: a typed refusal with a client-side
 * code becomes 400 with its message; anything else is logged and answered 500 without details.
 */
export function refusal(error: unknown, logger: Logger, what: string): Response {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown; key?: unknown }).code ?? (error as { key?: unknown }).key : undefined;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return openAiError(400, error instanceof Error ? error.message : String(error), 'invalid_request_error');
  }
  if (code === 'SHUTTING_DOWN') return openAiError(503, 'the gateway is shutting down', 'api_error');
  logger.error(`${what} failed`, { error: String(error), cause: error instanceof Error ? String(error.cause ?? '') : '' });
  return openAiError(500, 'internal error', 'api_error');
}

const CLIENT_CODES = new Set(['INVALID_REQUEST', 'INVALID_PARAMS', 'UNKNOWN_AGENT', 'UNKNOWN_MODEL', 'INVALID_MODEL']);

/** What an HTTP request asks a run for: the agent target, the prompt and the run id to use. */
export interface HttpRunRequest {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly message: string;
  readonly extraSystemPrompt?: string;
  readonly id: string;
  /** `x-openclaw-model`: provider/model of the run. */
  readonly modelOverride?: string | undefined;
}

/** Starts the run of an HTTP request; resolves with its run id, or with the response refusing it. */
export async function startHttpRun(runs: RunService, logger: Logger, request: HttpRunRequest, what: string): Promise<string | Response> {
  try {
    const accepted = await runs.start({
      agentId: request.agentId,
      sessionKey: request.sessionKey,
      message: request.message,
      idempotencyKey: request.id,
      origin: 'http',
      ...(request.modelOverride ? { model: request.modelOverride } : {}),
      ...(request.extraSystemPrompt ? { extraSystemPrompt: request.extraSystemPrompt } : {}),
    });
    return accepted.runId;
  } catch (error) {
    return refusal(error, logger, what);
  }
}
