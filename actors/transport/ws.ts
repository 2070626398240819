/**
 * The portable transport: `ws` on top of `node:http`, one `http.Server` per host, all sharing one
 * `WebSocketServer` (noServer) and one fetch adapter (`@hono/node-server`).
 *
 * Memory per idle connection is what `ws` and `net.Socket` need plus one small `WsGatewaySocket`:
 * the event listeners are created once per transport and find their socket through `live`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  checkUpgradeHandshake,
  MAX_REQUEST_HEAD_BYTES,
  refusalResponse,
  isLoopbackAddress,
  newConnectionId,
  reportTransportFailure,
  truncateCloseReason,
  validateTransportOptions,
  hasForwardingHeader,
  type GatewaySocket,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
} from './contract.js';
import { ListenError } from './listen-error.js';

const TEXT_FRAME = { binary: false } as const;
/** Keepalive ping interval: a peer silent for two rounds is dropped (uWS: its idleTimeout). */
const DEFAULT_KEEPALIVE_MS = 30_000;
/** Longest a client may take to send its request headers. */
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * Requests one connection may have in flight (pipelined, not yet answered); one more closes it.
 * Node parses a whole read (up to 64 KiB, ~1600 small requests) before it pauses a connection whose
 * answers back up, and with asynchronous handlers it never does: without a bound, a client that
 * pipelines and never reads has the gateway serve everything the kernel buffers hold (README).
 */
const MAX_PIPELINED_REQUESTS = 64;
/** How often a port-0 bind is retried when a later host finds the first host's pick taken. */
const PORT_ZERO_ATTEMPTS = 5;

class WsGatewaySocket implements GatewaySocket {
  readonly id: string = newConnectionId();
  readonly isLoopback: boolean;
  forwarded = false;
  host?: string;
  headers?: Readonly<Record<string, string>>;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    readonly origin: string | undefined,
  ) {
    this.isLoopback = isLoopbackAddress(remoteAddress);
  }

  send(text: string | Buffer): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(text, TEXT_FRAME);
    return true;
  }

  bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    this.ws.close(code, truncateCloseReason(reason));
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Opens the `ws` + `node:http` transport on every host in `options.hosts`, all on one port. */
export const openWsTransport: TransportFactory = async (options) => {
  validateTransportOptions(options);
  const { handlers } = options;
  const live = new Map<WebSocket, WsGatewaySocket>();
  /** Sockets pinged and not heard from since: dropped at the next round (a half-open peer). */
  const silent = new Set<WebSocket>();
  const keepalive = setInterval(() => {
    for (const ws of live.keys()) {
      if (silent.has(ws)) {
        ws.terminate();
        continue;
      }
      silent.add(ws);
      ws.ping();
    }
  }, options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS);
  keepalive.unref();
  let closing = false;
  let drained: (() => void) | undefined;

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: options.maxPayloadBytes,
    clientTracking: false, // `live` tracks sockets; one collection is enough
  });

  // Listeners below are shared by every socket: `this` is the emitting WebSocket.
  function onMessage(this: WebSocket, data: RawData, _isBinary: boolean): void {
    const socket = live.get(this);
    if (socket === undefined) return;
    silent.delete(this);
    const bytes = toBuffer(data);
    handlers.message(socket, bytes, bytes.length);
  }
  function onClose(this: WebSocket, code: number, reason: Buffer): void {
    const socket = live.get(this);
    if (socket === undefined) return;
    live.delete(this);
    silent.delete(this);
    handlers.close(socket, code, reason.toString('utf8'));
    if (live.size === 0) drained?.();
  }
  // Protocol errors (oversized frame, bad UTF-8, …) make `ws` close the socket with the right
  // code; that close, with its code, is how the error reaches the gateway. Without a listener
  // EventEmitter would throw instead.
  function onError(this: WebSocket, _error: Error): void {}
  function onPong(this: WebSocket): void {
    silent.delete(this);
  }

  function onUpgraded(ws: WebSocket, request: IncomingMessage): void {
    const remoteAddress = normaliseAddress(request.socket.remoteAddress);
    const socket = new WsGatewaySocket(ws, remoteAddress, request.headers.origin);
    socket.forwarded = hasForwardingHeader((name) => request.headers[name] !== undefined);
    if (request.headers.host !== undefined) socket.host = request.headers.host;
    if (options.captureHeaders?.()) socket.headers = flatHeaders(request.headers);
    live.set(ws, socket);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    ws.on('pong', onPong);
    handlers.open(socket);
  }
  function onUpgrade(request: IncomingMessage, duplex: Duplex, head: Buffer): void {
    if (closing) {
      duplex.destroy();
      return;
    }
    const key = request.headers['sec-websocket-key'];
    const version = request.headers['sec-websocket-version'];
    const refusal =
      checkUpgradeHandshake({ key: typeof key === 'string' ? key : '', version: typeof version === 'string' ? version : '' }) ??
      handlers.admitUpgrade?.({ remoteAddress: normaliseAddress(request.socket.remoteAddress) });
    if (refusal) {
      duplex.on('error', () => duplex.destroy());
      duplex.end(refusalResponse(refusal));
      return;
    }
    wss.handleUpgrade(request, duplex, head, onUpgraded);
  }

  const onRequest = getRequestListener(
    async (request, env) => {
      const remoteAddress = normaliseAddress(
        'incoming' in env ? env.incoming.socket.remoteAddress : undefined,
      );
      try {
        return await handlers.fetch(request, { remoteAddress });
      } catch (error) {
        reportTransportFailure(handlers, error, 'fetch');
        return new Response(null, { status: 500 });
      }
    },
    {
      overrideGlobalObjects: false, // never replace the process-wide Request/Response
      errorHandler: (error) => requestErrorResponse(handlers, error),
    },
  );

  const onListenerError = (error: Error): void => reportTransportFailure(handlers, error, 'accept');
  const createHostServer = (): Server => {
    // A connection that never finishes its request headers is dropped after 10 s (uWS: its idle timeout).
    const server = createServer({ noDelay: true, maxHeaderSize: MAX_REQUEST_HEAD_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 }, (request, response) => {
      if (!admitPipelined(request.socket, response)) return;
      closeWhenBodyUnread(request, response);
      void onRequest(request, response);
    });
    server.on('upgrade', onUpgrade);
    return server;
  };

  const { servers, port } = await listenAll(options.hosts, options.port, createHostServer);
  const serversClosed = servers.map((server) => {
    // After listen, 'error' means a failed accept (EMFILE…): Node keeps listening, so report it.
    server.on('error', onListenerError);
    return new Promise<void>((resolve) => server.once('close', () => resolve()));
  });

  const stopListening = async (): Promise<void> => {
    for (const server of servers) {
      // Closing the handle is synchronous; 'close' itself waits for every connection to end,
      // which is the caller's business here, so it is awaited in destroy() only.
      if (server.listening) server.close();
    }
  };

  const destroy = async (): Promise<void> => {
    closing = true;
    clearInterval(keepalive);
    await stopListening();
    const allClosed =
      live.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
    for (const ws of live.keys()) ws.terminate();
    for (const server of servers) server.closeAllConnections();
    await Promise.all([allClosed, ...serversClosed]);
    wss.close();
  };

  const transport: Transport = { kind: 'ws', port, stopListening, destroy };
  return transport;
};

/** Requests in flight per connection (MAX_PIPELINED_REQUESTS). */
const inFlight = new WeakMap<Socket, number>();

/** Counts a request against its connection's pipelining bound; false (and the connection closed) beyond it. */
function admitPipelined(socket: Socket, response: ServerResponse): boolean {
  const count = (inFlight.get(socket) ?? 0) + 1;
  if (count > MAX_PIPELINED_REQUESTS) {
    socket.destroy();
    return false;
  }
  inFlight.set(socket, count);
  response.once('close', () => inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1));
  return true;
}

/**
 * A response sent before its request body ended says `Connection: close`, so node closes the
 * connection after it instead of reading a body the client may never end; the rest of the body
 * is dropped while the connection winds down (as uWS does: README, Resource bounds).
 */
function closeWhenBodyUnread(request: IncomingMessage, response: ServerResponse): void {
  const writeHead = response.writeHead;
  response.writeHead = function writeHeadClosing(this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (!request.complete && !this.headersSent) this.setHeader('connection', 'close');
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

/** Answers a request `@hono/node-server` could not turn into a `Request` (bad Host, bad URL). */
function requestErrorResponse(handlers: TransportHandlers, error: unknown): Response {
  // Those failures are named RequestError and are the client's fault: 400, nothing to report.
  if (error instanceof Error && error.name === 'RequestError') {
    return new Response(null, { status: 400 });
  }
  reportTransportFailure(handlers, error, 'fetch');
  return new Response(null, { status: 500 });
}

/** Node reports IPv4 peers of a dual-stack listener as "::ffff:a.b.c.d"; report them as IPv4. */
function normaliseAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

async function listenAll(
  hosts: readonly string[],
  port: number,
  createHostServer: () => Server,
): Promise<{ servers: Server[]; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await listenOnce(hosts, port, createHostServer);
    } catch (error) {
      // With port 0 the first host's pick can be taken on a later host; pick again.
      const retry = port === 0 && attempt < PORT_ZERO_ATTEMPTS && errorCode(error) === 'EADDRINUSE';
      if (!retry) throw error;
    }
  }
}

async function listenOnce(
  hosts: readonly string[],
  requestedPort: number,
  createHostServer: () => Server,
): Promise<{ servers: Server[]; port: number }> {
  const servers: Server[] = [];
  let port = requestedPort;
  try {
    for (const host of hosts) {
      const server = createHostServer();
      try {
        await listen(server, host, port);
      } catch (error) {
        if (isMissingIpv6Loopback(host, error)) continue;
        throw new ListenError(host, port, String(errorCode(error) ?? 'UNKNOWN'), { cause: error });
      }
      servers.push(server);
      if (port === 0) port = boundPort(server);
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  if (servers.length === 0) throw new Error(`no host could be bound: ${hosts.join(', ')}`);
  return { servers, port };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function boundPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('listening server reports no TCP address');
  }
  return address.port;
}

/** True when `::1` cannot exist on this machine (no IPv6 loopback), which a loopback bind skips. */
function isMissingIpv6Loopback(host: string, error: unknown): boolean {
  const code = errorCode(error);
  return host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT');
}

function errorCode(error: unknown): unknown {
  if (error instanceof Error && 'code' in error) return error.code;
  if (error instanceof Error && error.cause instanceof Error && 'code' in error.cause) {
    return error.cause.code;
  }
  return undefined;
}

/** Node's header object with repeated headers joined by ", " (as fetch's Headers does). */
function flatHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
