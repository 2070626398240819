import type { ErrorShape } from '../../protocol/frames.js';
import { GatewayConnection } from './connection.js';

/*
 * The client side of one agent turn, as `openclaw agent` runs it:
 *
 *   client                                gateway
 *     | <── connect.challenge ──────────── |
 *     | ─── connect (operator.write) ────> |
 *     | ─── agent {message, idempotencyKey…} ──> run.accepted
 *     | <── event agent (lifecycle start) ─|
 *     | <── res {status:"accepted"} ────── |
 *     | <── event agent (assistant delta)… |   onDelta, deduplicated by per-run seq
 *     | ─── chat.abort (on abort signal) ─>|
 *     | <── res final (same request id) ── |   resolves
 */

/** The WebSocket upgrade gets at most this long, whatever the turn's own bound. */
const UPGRADE_TIMEOUT_MS = 15_000;

/** How an agent turn ended on the wire: the final response of the `agent` request. */
export interface AgentTurnResult {
  readonly ok: boolean;
  readonly payload: unknown;
  readonly error?: ErrorShape;
}

/** One turn: where, as whom, the `agent` params, and what to do with the streamed text. */
export interface AgentTurnOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  /** `agent` params; `idempotencyKey` is the runId the deltas are matched on. */
  readonly params: Readonly<Record<string, unknown>> & { readonly idempotencyKey: string };
  readonly clientVersion: string;
  /** Bound on the whole exchange (connect to final). */
  readonly timeoutMs: number;
  /** Each new chunk of assistant text, in order. */
  readonly onDelta?: (delta: string) => void;
  /** Aborting sends `chat.abort` for the run; the final (aborted) still resolves the call. */
  readonly signal?: AbortSignal;
}

/** Runs one `agent` turn over a fresh connection, streaming its text; rejects with an RpcError. */
export async function runAgentTurn(options: AgentTurnOptions): Promise<AgentTurnResult> {
  const runId = options.params.idempotencyKey;
  let sessionKey = typeof options.params.sessionKey === 'string' ? options.params.sessionKey : undefined;
  let lastSeq = 0;
  const onEvent = (event: string, data: unknown) => {
    const payload = data as { runId?: unknown; seq?: unknown; stream?: unknown; data?: { delta?: unknown } } | undefined;
    if (event !== 'agent' || payload?.runId !== runId || typeof payload.seq !== 'number' || payload.seq <= lastSeq) return;
    lastSeq = payload.seq;
    if (payload.stream === 'assistant' && typeof payload.data?.delta === 'string') options.onDelta?.(payload.data.delta);
  };
  const connection = await GatewayConnection.open({
    url: options.url,
    ...(options.token ? { token: options.token } : {}),
    ...(options.password ? { password: options.password } : {}),
    client: { id: 'cli', version: options.clientVersion, platform: process.platform, mode: 'cli' },
    scopes: ['operator.write'],
    timeoutMs: options.timeoutMs,
    upgradeTimeoutMs: Math.min(options.timeoutMs, UPGRADE_TIMEOUT_MS),
    timeoutMessage: `no final answer from the gateway within ${options.timeoutMs} ms (run ${runId})`,
    closedSuffix: ` before run ${runId} ended`,
    onEvent,
  });
  const onAbort = () => connection.post('chat.abort', { sessionKey: sessionKey ?? 'main', runId });
  try {
    const final = connection.exchange('agent', options.params, {
      expectFinal: true,
      onAccepted: (payload) => {
        const accepted = payload as { sessionKey?: unknown };
        if (typeof accepted.sessionKey === 'string') sessionKey = accepted.sessionKey;
      },
    });
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) onAbort();
    const answer = await final;
    return { ok: answer.ok, payload: answer.payload, ...(answer.error ? { error: answer.error } : {}) };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    connection.close();
  }
}
