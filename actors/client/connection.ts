import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ClientInfo } from '../../protocol/connect.js';
import type { ErrorShape, EventFrame, ResponseFrame } from '../../protocol/frames.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';

/*
 * One client connection to a gateway, as the official clients open it:
 *
 *   client                                  gateway
 *     | ─── WebSocket upgrade ─────────────────> |
 *     | <── event connect.challenge ─────────── |
 *     | ─── req connect {client, auth, scopes} ─> |   id "1:<uuid>"
 *     | <── res hello-ok ────────────────────── |   open() resolves (ok:false → 'rejected')
 *     | ─── req <method> ──────────────────────> |   id "<n>:<uuid>", answers matched by id
 *     | <── res {status:"accepted"} ─────────── |   skipped when expectFinal
 *     | <── event …                              |   onEvent
 *     | <── res final ───────────────────────── |
 *     | close                                    |
 *
 * Transport trouble (socket error, close, a frame that is not JSON, the deadline) fails the
 * connection once: the socket is dropped and every pending request rejects with the same RpcError.
 */

/** What went wrong with an RPC: no socket, no answer in time, socket gone, or an `ok:false` answer. */
export type RpcFailureKind = 'unreachable' | 'timeout' | 'closed' | 'rejected';

/** How the gateway closed the socket. */
export interface SocketClose {
  readonly code: number;
  readonly reason: string;
}

/** A failed RPC: transport trouble or an `ok:false` response. */
export class RpcError extends Error {
  /** Set when the gateway closed the socket (kind `closed`). */
  readonly close?: SocketClose;

  constructor(
    readonly kind: RpcFailureKind,
    message: string,
    readonly error?: ErrorShape,
    options?: { readonly cause?: unknown; readonly close?: SocketClose },
  ) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'RpcError';
    if (options?.close) this.close = options.close;
  }
}

/** The final answer to a request, ok or not. */
export type RpcAnswer = Pick<ResponseFrame, 'ok' | 'payload' | 'error'>;

/** The `client` block of `connect` without `instanceId` (fresh per connection); id and mode stay open strings so a probe can present any identity. */
export type ConnectClient = Omit<ClientInfo, 'id' | 'mode' | 'instanceId'> & { readonly id: string; readonly mode: string };

/** How to open a connection. */
export interface GatewayConnectionOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly client: ConnectClient;
  /** Protocol window offered in `connect`; both default to PROTOCOL_VERSION. */
  readonly minProtocol?: number;
  readonly maxProtocol?: number;
  /** Operator scopes asked for in `connect`. */
  readonly scopes: readonly string[];
  /** Bound on the connection's whole life, open to close; past it everything fails as `timeout`. */
  readonly timeoutMs: number;
  /** Message of that `timeout` failure: only the caller knows what it was waiting for. */
  readonly timeoutMessage: string;
  /** Bound on the WebSocket upgrade alone (default `timeoutMs`). */
  readonly upgradeTimeoutMs?: number;
  /** Appended to the message of a `closed` failure (" before run X ended"). */
  readonly closedSuffix?: string;
  /** Every event but `connect.challenge`, in arrival order, from the first frame on. */
  readonly onEvent?: (event: string, payload: unknown) => void;
}

/** Per-request options. */
export interface RequestOptions {
  /** Skip an ack whose payload says `status:"accepted"` and wait for the final response. */
  readonly expectFinal?: boolean;
  /** Called with the payload of each skipped ack. */
  readonly onAccepted?: (payload: unknown) => void;
}

interface Waiter extends RequestOptions {
  readonly resolve: (answer: RpcAnswer) => void;
  readonly reject: (error: RpcError) => void;
}

type IncomingFrame = Partial<EventFrame> | Partial<ResponseFrame>;

const isAccepted = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && 'status' in payload && payload.status === 'accepted';

/** A handshaken connection to a gateway: requests matched by id, events to a listener. */
export class GatewayConnection {
  private readonly ws: WebSocket;
  private readonly timer: NodeJS.Timeout;
  private readonly waiters = new Map<string, Waiter>();
  private readonly connectId: string;
  private counter = 0;
  private helloPayload: unknown;
  /** Why the connection ended, once it has. */
  private ended: RpcError | null = null;

  private constructor(private readonly options: GatewayConnectionOptions) {
    this.ws = new WebSocket(options.url, { perMessageDeflate: false, handshakeTimeout: options.upgradeTimeoutMs ?? options.timeoutMs });
    this.timer = setTimeout(() => this.fail(new RpcError('timeout', options.timeoutMessage)), options.timeoutMs);
    this.connectId = this.nextId();
    this.ws.on('error', (error: Error & { code?: string }) =>
      this.fail(new RpcError('unreachable', `gateway unreachable at ${options.url}: ${error.code ?? error.message}`, undefined, { cause: error })),
    );
    this.ws.on('close', (code: number, reason: Buffer) => {
      const text = `gateway closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})${options.closedSuffix ?? ''}`;
      this.fail(new RpcError('closed', text, undefined, { close: { code, reason: reason.toString() } }));
    });
    this.ws.on('message', (raw: WebSocket.RawData) => this.receive(raw));
  }

  /**
   * Opens a socket, answers the challenge with `connect` and resolves once hello-ok arrived.
   * Rejects with an RpcError (`rejected` carries the wire error of the refused connect); an
   * invalid URL throws as the WebSocket constructor does.
   */
  static async open(options: GatewayConnectionOptions): Promise<GatewayConnection> {
    const connection = new GatewayConnection(options);
    const answer = await connection.awaitAnswer(connection.connectId, {});
    if (!answer.ok) {
      const error = new RpcError('rejected', answer.error?.message ?? 'connect refused', answer.error);
      connection.fail(error);
      throw error;
    }
    connection.helloPayload = answer.payload;
    return connection;
  }

  /** The hello-ok payload. */
  get hello(): unknown {
    return this.helloPayload;
  }

  /** Sends a request and resolves with its final answer, ok or not; rejects only when the connection fails. */
  exchange(method: string, params?: unknown, options: RequestOptions = {}): Promise<RpcAnswer> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId();
    const answer = this.awaitAnswer(id, options);
    this.send(id, method, params);
    return answer;
  }

  /** Sends a request and resolves with its final payload; an `ok:false` answer rejects as `rejected` with the wire error. */
  async request(method: string, params?: unknown, options: RequestOptions = {}): Promise<unknown> {
    const answer = await this.exchange(method, params, options);
    if (!answer.ok) throw new RpcError('rejected', answer.error?.message ?? 'request failed', answer.error);
    return answer.payload;
  }

  /** Sends a request nobody waits for: its answer is dropped. Does nothing once the connection ended. */
  post(method: string, params?: unknown): void {
    if (!this.ended) this.send(this.nextId(), method, params);
  }

  /** Ends the connection with a close frame (`code` if given); requests still pending reject as `closed`. */
  close(code?: number): void {
    this.end(new RpcError('closed', 'connection closed by the client'), () => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
      else this.drop();
    });
  }

  /** Drops the socket without a close frame; requests still pending reject as `closed`. */
  terminate(): void {
    this.end(new RpcError('closed', 'connection closed by the client'), () => this.drop());
  }

  private nextId(): string {
    this.counter += 1;
    return `${this.counter}:${randomUUID()}`;
  }

  private awaitAnswer(id: string, options: RequestOptions): Promise<RpcAnswer> {
    return new Promise((resolve, reject) => this.waiters.set(id, { ...options, resolve, reject }));
  }

  private send(id: string, method: string, params: unknown): void {
    const request: Record<string, unknown> = { type: 'req', id, method };
    if (params !== undefined) request.params = params; // an absent field, as the official CLI sends
    this.ws.send(JSON.stringify(request));
  }

  private sendConnect(): void {
    const { client, token, password } = this.options;
    const { id, version, platform, mode, ...extra } = client;
    const auth: Record<string, string> = {};
    if (token) auth.token = token;
    if (password) auth.password = password;
    this.send(this.connectId, 'connect', {
      minProtocol: this.options.minProtocol ?? PROTOCOL_VERSION,
      maxProtocol: this.options.maxProtocol ?? PROTOCOL_VERSION,
      client: { id, version, platform, mode, instanceId: randomUUID(), ...extra },
      caps: [],
      auth,
      role: 'operator',
      scopes: this.options.scopes,
    });
  }

  private receive(raw: WebSocket.RawData): void {
    if (this.ended) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString());
    } catch (error) {
      this.fail(new RpcError('closed', 'gateway sent a frame that is not JSON', undefined, { cause: error }));
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const frame = parsed as IncomingFrame;
    if (frame.type === 'event') {
      if (frame.event === 'connect.challenge') this.sendConnect();
      else if (typeof frame.event === 'string') this.options.onEvent?.(frame.event, frame.payload);
      return;
    }
    if (frame.type !== 'res' || typeof frame.id !== 'string') return;
    const waiter = this.waiters.get(frame.id);
    if (!waiter) return;
    const ok = frame.ok === true;
    if (ok && waiter.expectFinal && isAccepted(frame.payload)) {
      waiter.onAccepted?.(frame.payload);
      return;
    }
    this.waiters.delete(frame.id);
    waiter.resolve({ ok, payload: frame.payload, ...(frame.error ? { error: frame.error } : {}) });
  }

  /** Ends on a failure: drop the socket without a close frame, fail whatever still waits. */
  private fail(error: RpcError): void {
    this.end(error, () => this.drop());
  }

  private drop(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }

  /**
   * Ends once; later socket events (the close after an error, an error after terminate) find the
   * connection ended and change nothing, which is why the listeners stay attached.
   */
  private end(reason: RpcError, releaseSocket: () => void): void {
    if (this.ended) return;
    this.ended = reason;
    clearTimeout(this.timer);
    releaseSocket();
    for (const waiter of this.waiters.values()) waiter.reject(reason);
    this.waiters.clear();
  }
}
