import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ErrorShape } from '../protocol/frames.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';

/** A failed RPC: transport trouble or an `ok:false` response. */
export class RpcError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'closed' | 'rejected',
    message: string,
    readonly error?: ErrorShape,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcError';
  }
}

export interface RpcCallOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly method: string;
  /** Omitted params are sent as an absent field, as the official CLI does. */
  readonly params?: unknown;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  /** Skip an ack whose payload says `status:"accepted"` and wait for the final response. */
  readonly expectFinal?: boolean;
  readonly clientVersion: string;
}

/**
 * One short-lived RPC, as the official CLI makes it: open, wait for `connect.challenge`,
 * `connect`, one request, close. Resolves with the payload; rejects with an RpcError.
 */
export function callGateway(options: RpcCallOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(options.url, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs });
    let settled = false;
    let counter = 0;
    const nextId = () => `${++counter}:${randomUUID()}`;
    const connectId = nextId();
    const requestId = nextId();
    const finish = (error: RpcError | null, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('close');
      ws.once('error', () => undefined); // a late socket error after we are done changes nothing
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new RpcError('timeout', `gateway did not answer ${options.method} within ${options.timeoutMs} ms (${options.url})`)),
      options.timeoutMs,
    );
    ws.on('error', (error: Error & { code?: string }) => {
      finish(new RpcError('unreachable', `gateway unreachable at ${options.url}: ${error.code ?? error.message}`, undefined, { cause: error }));
    });
    ws.on('close', (code: number, reason: Buffer) => {
      finish(new RpcError('closed', `gateway closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
    });
    ws.on('message', (raw: WebSocket.RawData) => {
      let frame: { type?: string; event?: string; id?: string; ok?: boolean; payload?: unknown; error?: ErrorShape };
      try {
        frame = JSON.parse(raw.toString()) as typeof frame;
      } catch (error) {
        finish(new RpcError('closed', 'gateway sent a frame that is not JSON', undefined, { cause: error }));
        return;
      }
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        const auth: Record<string, string> = {};
        if (options.token) auth.token = options.token;
        if (options.password) auth.password = options.password;
        ws.send(
          JSON.stringify({
            type: 'req',
            id: connectId,
            method: 'connect',
            params: {
              minProtocol: PROTOCOL_VERSION,
              maxProtocol: PROTOCOL_VERSION,
              client: { id: 'cli', version: options.clientVersion, platform: process.platform, mode: 'cli', instanceId: randomUUID() },
              caps: [],
              auth,
              role: 'operator',
              scopes: options.scopes,
            },
          }),
        );
        return;
      }
      if (frame.type !== 'res') return;
      if (frame.id === connectId) {
        if (!frame.ok) {
          finish(new RpcError('rejected', frame.error?.message ?? 'connect refused', frame.error));
          return;
        }
        const request: Record<string, unknown> = { type: 'req', id: requestId, method: options.method };
        if (options.params !== undefined) request.params = options.params;
        ws.send(JSON.stringify(request));
        return;
      }
      if (frame.id !== requestId) return;
      if (!frame.ok) {
        finish(new RpcError('rejected', frame.error?.message ?? 'request failed', frame.error));
        return;
      }
      const status = (frame.payload as { status?: unknown } | null | undefined)?.status;
      if (options.expectFinal && status === 'accepted') return;
      finish(null, frame.payload);
    });
  });
}
