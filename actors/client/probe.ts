import type { ErrorShape } from '../../protocol/frames.js';
import { GatewayConnection, RpcError, type RpcAnswer, type SocketClose } from './connection.js';

/*
 * A diagnostic connection, as the official `gateway status` / `gateway probe` make it: connect
 * with a given client identity and protocol window, then send every call back-to-back
 * (pipelined) and collect the answers. Never rejects: an unreachable gateway, a refused connect
 * or a timeout is part of the outcome.
 *
 *   client                         gateway
 *     |  ── handshake ──▶            |   (connection.ts)
 *     |  ◀── res hello-ok            |   connectLatencyMs measured here
 *     |  ── req call 1..n ──▶        |   (pipelined)
 *     |  ◀── res 1..n                |
 *     |  close 1000                  |
 */

/** Who the probe says it is. */
export interface ProbeClient {
  readonly id: string;
  readonly mode: string;
  readonly version: string;
  readonly displayName?: string;
}

/** One probe: where, as whom, with which protocol window and scopes, and which reads to make. */
export interface ProbeOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly timeoutMs: number;
  readonly client: ProbeClient;
  readonly minProtocol: number;
  readonly maxProtocol: number;
  readonly scopes: readonly string[];
  /** Requests to send after hello-ok; `params` undefined = no params field (as the official CLI sends). */
  readonly calls: ReadonlyArray<{ readonly method: string; readonly params?: unknown }>;
  readonly platform: string;
}

/** The answer to one call. */
export type CallOutcome =
  | { readonly method: string; readonly ok: true; readonly payload: unknown }
  | { readonly method: string; readonly ok: false; readonly error: ErrorShape };

/** What a probe found out. */
export interface ProbeOutcome {
  /** A gateway answered (hello-ok, or a protocol-level `res` refusing the connect). */
  readonly reached: boolean;
  /** hello-ok arrived. */
  readonly connected: boolean;
  readonly connectLatencyMs: number | null;
  readonly hello: Record<string, unknown> | null;
  /** The connect refusal, when the gateway refused. */
  readonly connectError: ErrorShape | null;
  /** Transport failure or timeout text, or the connect refusal message. */
  readonly error: string | null;
  readonly close: { code: number; reason: string } | null;
  readonly calls: CallOutcome[];
  /** Calls still unanswered when the probe ended. */
  readonly timedOut: boolean;
}

/** How the probe got as far as it did: only the fields a failure decides. */
type Failure = Pick<ProbeOutcome, 'reached' | 'connectError' | 'error' | 'close' | 'timedOut'>;

const callOutcome = (method: string, answer: RpcAnswer): CallOutcome =>
  answer.ok ? { method, ok: true, payload: answer.payload } : { method, ok: false, error: answer.error ?? { code: 'UNAVAILABLE', message: 'request failed' } };

/** Maps why the connection ended to the probe's wording (the official CLI's). */
function failureOf(cause: unknown, connected: boolean, timeoutMs: number): Failure {
  const none: Failure = { reached: connected, connectError: null, error: null, close: null, timedOut: false };
  if (!(cause instanceof RpcError)) return { ...none, error: cause instanceof Error ? cause.message : String(cause) };
  switch (cause.kind) {
    case 'rejected': {
      const connectError = cause.error ?? { code: 'UNAVAILABLE', message: 'connect refused' };
      return { ...none, reached: true, connectError, error: connectError.message };
    }
    case 'timeout':
      return { ...none, timedOut: true, error: connected ? 'timeout' : `timeout after ${timeoutMs} ms` };
    case 'unreachable': {
      const socket = cause.cause as (Error & { code?: string }) | undefined;
      const close: SocketClose = { code: 1006, reason: '' };
      return { ...none, close, error: socket?.message || socket?.code || 'socket error' };
    }
    case 'closed':
      if (!cause.close) return { ...none, error: cause.message }; // a frame that is not JSON
      return { ...none, close: cause.close, error: connected ? null : cause.message };
  }
}

const helloOf = (connection: GatewayConnection): Record<string, unknown> => (connection.hello ?? {}) as Record<string, unknown>;

/** Opens one probe connection; resolves when every call answered, the socket closed, or the timeout hit. */
export async function probeGateway(options: ProbeOptions): Promise<ProbeOutcome> {
  const started = Date.now();
  const calls: CallOutcome[] = [];
  let connection: GatewayConnection | undefined;
  let latency: number | null = null;
  try {
    const opened = await GatewayConnection.open({
      url: options.url,
      ...(options.token ? { token: options.token } : {}),
      ...(options.password ? { password: options.password } : {}),
      client: {
        id: options.client.id,
        version: options.client.version,
        platform: options.platform,
        mode: options.client.mode,
        ...(options.client.displayName ? { displayName: options.client.displayName } : {}),
      },
      minProtocol: options.minProtocol,
      maxProtocol: options.maxProtocol,
      scopes: options.scopes,
      timeoutMs: options.timeoutMs,
      timeoutMessage: `timeout after ${options.timeoutMs} ms`,
    });
    connection = opened;
    latency = Date.now() - started;
    await Promise.all(options.calls.map(({ method, params }) => opened.exchange(method, params).then((answer) => calls.push(callOutcome(method, answer)))));
    opened.close(1000);
    return { reached: true, connected: true, connectLatencyMs: latency, hello: helloOf(opened), connectError: null, error: null, close: null, calls, timedOut: false };
  } catch (cause) {
    connection?.terminate();
    const connected = connection !== undefined;
    const { reached, connectError, error, close, timedOut } = failureOf(cause, connected, options.timeoutMs);
    const hello = connection ? helloOf(connection) : null;
    return { reached, connected, connectLatencyMs: latency, hello, connectError, error, close, calls, timedOut };
  }
}
