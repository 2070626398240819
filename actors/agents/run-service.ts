/**
 * The seam between agent runs and their callers (the WebSocket methods `agent`/`chat.*` and the
 * OpenAI-compatible HTTP API). Implemented by the agent-runs module; HTTP routes only use this.
 */

/** A request to run one agent turn. */
export interface StartRunRequest {
  /** Agent to run (default: the default agent). */
  readonly agentId?: string;
  /** Session key as given (`main`, `x`, `agent:<id>:<key>`); normalised by the service. */
  readonly sessionKey?: string;
  readonly message: string;
  /** Becomes the runId; a retry with the same key starts no new run. */
  readonly idempotencyKey: string;
  /** Per-run deadline; past it the run ends as `timeout` (AGENT_TIMEOUT). */
  readonly timeoutMs?: number;
  /** Provider/model override (`x-openclaw-model`, `agent.model`). */
  readonly model?: string;
  readonly extraSystemPrompt?: string;
  /** Where the run came from, for the journal. */
  readonly origin: 'ws' | 'http' | 'cli' | 'channel';
  /** The method or route that started it (`agent`, `chat.send`, `/v1/chat/completions`…), for the journal. */
  readonly via?: string;
  /** Recipient and channel: pick the session by `session.dmScope` when no session key is given. */
  readonly to?: string;
  readonly channel?: string;
  readonly accountId?: string;
}

/** How `start` treated the request. */
export type StartDisposition = 'started' | 'in_flight' | 'completed';

export interface RunAccepted {
  readonly runId: string;
  readonly sessionKey: string;
  readonly agentId: string;
  readonly acceptedAt: number;
  readonly disposition: StartDisposition;
}

/** Token usage of a run. */
export interface RunUsage {
  readonly input: number;
  readonly output: number;
  readonly total: number;
}

/** How a run ended. */
export interface RunOutcome {
  readonly runId: string;
  readonly status: 'ok' | 'error' | 'timeout' | 'aborted';
  /** Full assistant text. */
  readonly text: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly usage?: RunUsage;
  readonly provider: string;
  readonly model: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** What a subscriber sees while a run streams (derived from the run's journal stream). */
export type RunEvent =
  | { readonly kind: 'delta'; readonly seq: number; readonly text: string; readonly delta: string }
  | { readonly kind: 'end'; readonly seq: number; readonly outcome: RunOutcome };

export interface RunService {
  /** Accepts (or deduplicates by idempotency key) a run; resolves once `run.accepted` is journaled. */
  start(request: StartRunRequest): Promise<RunAccepted>;
  /** Streams a run's deltas and its end; replays what already happened first. Returns unsubscribe. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  /** Resolves with the outcome, or null if the run is unknown or not finished within `timeoutMs`. */
  wait(runId: string, timeoutMs: number): Promise<RunOutcome | null>;
  /** Aborts one run, or every run of a session; resolves with the run ids aborted. */
  abort(target: { runId?: string; sessionKey?: string }): Promise<string[]>;
  /** Embeddings through the configured provider; throws a typed error when there is none. */
  embed(input: readonly string[], model?: string): Promise<{ model: string; vectors: number[][]; usage: { input: number } }>;
  /** Agents as OpenAI model ids: `openclaw`, `openclaw/default`, `openclaw/<agentId>`. */
  agentIds(): { defaultId: string; ids: readonly string[] };
}
