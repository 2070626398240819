import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter, once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import type {
  GatewaySocket,
  Transport,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
} from '../../../actors/transport/contract.js';
import { openWsTransport } from '../../../actors/transport/ws.js';
import { loadUws, normaliseUwsAddress, openUwsTransport } from '../../../actors/transport/uws.js';
import { openTransport } from '../../../actors/transport/select.js';

const uwsLoads = loadUws() !== undefined;
const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  (addresses ?? []).some((address) => address.address === '::1'),
);
const factories: Record<'ws' | 'uws', TransportFactory> = {
  ws: openWsTransport,
  uws: openUwsTransport,
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Respond = (request: Request, info: { remoteAddress: string }) => Response | Promise<Response>;

/** Handlers that record every call and re-emit it on `events`, so tests can `await once(...)`. */
class Recorder implements TransportHandlers {
  readonly events = new EventEmitter();
  readonly closeCalls = new Map<string, number>();
  readonly failures: { error: unknown; where: string }[] = [];
  respond: Respond = () => new Response('ok');

  open(socket: GatewaySocket): void {
    this.events.emit('open', socket);
  }
  message(socket: GatewaySocket, data: Buffer, bytes: number): void {
    this.events.emit('message', socket, data, bytes);
  }
  close(socket: GatewaySocket, code: number, reason: string): void {
    this.closeCalls.set(socket.id, (this.closeCalls.get(socket.id) ?? 0) + 1);
    this.events.emit('close', socket, code, reason);
  }
  fetch(request: Request, info: { remoteAddress: string }): Promise<Response> | Response {
    return this.respond(request, info);
  }
  failed(error: unknown, where: 'fetch' | 'accept'): void {
    this.failures.push({ error, where });
  }
}

/** Resolves with the next `count` messages of a client, as [text, isBinary] pairs. */
function nextMessages(client: WebSocket, count: number): Promise<[string, boolean][]> {
  return new Promise((resolve) => {
    const received: [string, boolean][] = [];
    const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
      received.push([Buffer.isBuffer(data) ? data.toString('utf8') : String(data), isBinary]);
      if (received.length < count) return;
      client.off('message', onMessage);
      resolve(received);
    };
    client.on('message', onMessage);
  });
}

describe.each(['ws', 'uws'] as const)('%s transport', (kind) => {
  const factory = factories[kind];
  let recorder = new Recorder();
  let transport: Transport | undefined;
  const clients: WebSocket[] = [];

  async function start(options: Partial<TransportOptions> = {}): Promise<Transport> {
    recorder = new Recorder();
    transport = await factory({
      hosts: ['127.0.0.1'],
      port: 0,
      maxPayloadBytes: 1024,
      handlers: recorder,
      ...options,
    });
    return transport;
  }

  async function connect(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
    const client = new WebSocket(url, options);
    clients.push(client);
    await once(client, 'open');
    return client;
  }

  async function accept(
    url: string,
    options?: WebSocket.ClientOptions,
  ): Promise<{ client: WebSocket; socket: GatewaySocket }> {
    const opened = once(recorder.events, 'open');
    const client = await connect(url, options);
    const [socket] = (await opened) as [GatewaySocket];
    return { client, socket };
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await transport?.destroy();
    transport = undefined;
  });

  describe.skipIf(kind === 'uws' && !uwsLoads)('', () => {
    it(`reports kind "${kind}" and binds a real port when asked for port 0`, async () => {
      const { kind: reported, port } = await start();
      expect(reported).toBe(kind);
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    });

    it('routes an HTTP GET to fetch and writes back status, headers and body', async () => {
      const { port } = await start();
      const seen: { method: string; url: string; client: string | null; remote: string }[] = [];
      recorder.respond = (request, info) => {
        seen.push({
          method: request.method,
          url: request.url,
          client: request.headers.get('x-client'),
          remote: info.remoteAddress,
        });
        return new Response('hello', {
          status: 201,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'x-test': 'yes' },
        });
      };

      const response = await fetch(`http://127.0.0.1:${port}/path/x?q=1&r=2`, {
        headers: { 'x-client': 'c1' },
      });

      expect(response.status).toBe(201);
      expect(response.headers.get('x-test')).toBe('yes');
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text()).toBe('hello');
      expect(seen).toEqual([
        { method: 'GET', url: `http://127.0.0.1:${port}/path/x?q=1&r=2`, client: 'c1', remote: '127.0.0.1' },
      ]);
    });

    it('delivers a POST body to fetch', async () => {
      const { port } = await start();
      recorder.respond = async (request) =>
        Response.json({ method: request.method, body: await request.text() });
      const body = 'abcdefghij'.repeat(20_000); // 200 kB: several reads on the server

      const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ method: 'POST', body });
    });

    it('streams a large POST body to a handler that reads it slowly', async () => {
      const { port } = await start();
      recorder.respond = async (request) => {
        let bytes = 0;
        let sum = 0;
        const reader = request.body?.getReader();
        for (;;) {
          const chunk = await reader?.read();
          if (chunk === undefined || chunk.done) break;
          bytes += chunk.value.byteLength;
          for (const byte of chunk.value) sum = (sum + byte) % 65_521;
          await new Promise((resolve) => setImmediate(resolve));
        }
        return Response.json({ bytes, sum });
      };
      const body = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < body.length; i += 1) body[i] = i % 251;
      let sum = 0;
      for (const byte of body) sum = (sum + byte) % 65_521;

      const response = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body });

      expect(await response.json()).toEqual({ bytes: body.length, sum });
    });

    it('answers before reading a POST body and keeps serving on the connection', async () => {
      const { port } = await start();
      recorder.respond = (request) => new Response(`unread ${request.method}`, { status: 202 });

      const first = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: Buffer.alloc(1024 * 1024, 7),
      });
      expect([first.status, await first.text()]).toEqual([202, 'unread POST']);
      const second = await fetch(`http://127.0.0.1:${port}/`);
      expect([second.status, await second.text()]).toEqual([202, 'unread GET']);
    });

    it('answers pipelined requests that meet backpressure whole, or closes the connection', async () => {
      const { port } = await start();
      const body = Buffer.alloc(60 * 1024, 0x61); // under the size sent in one write with a length
      recorder.respond = () => new Response(body);
      const socket = tcpConnect({ host: '127.0.0.1', port });
      await once(socket, 'connect');
      socket.pause(); // the answers pile up in the socket buffers until they meet backpressure
      const count = 300;
      socket.write('GET /mid HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(count));
      let received = Buffer.alloc(0);
      const answers = (): Buffer[] => {
        const found: Buffer[] = [];
        let at = 0;
        for (;;) {
          const headEnd = received.indexOf('\r\n\r\n', at);
          if (headEnd === -1) return found;
          const length = Number(/content-length: (\d+)/i.exec(received.subarray(at, headEnd).toString('latin1'))?.[1]);
          if (received.length < headEnd + 4 + length) return found;
          found.push(received.subarray(headEnd + 4, headEnd + 4 + length));
          at = headEnd + 4 + length;
        }
      };
      const ended = new Promise<'closed' | 'all'>((resolve) => {
        socket.on('close', () => resolve('closed'));
        socket.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          if (answers().length === count) resolve('all');
        });
      });
      for (let turn = 0; turn < 3; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
      socket.resume();
      const outcome = await ended;
      socket.destroy();
      const whole = answers();
      if (outcome === 'all') expect(whole).toHaveLength(count);
      for (const answer of whole) expect(answer.equals(body)).toBe(true);
    });

    it('answers HEAD without a body', async () => {
      const { port } = await start();
      recorder.respond = () => new Response(null, { status: 200, headers: { 'x-head': '1' } });

      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });

      expect([response.status, response.headers.get('x-head'), await response.text()]).toEqual([200, '1', '']);
    });

    it('streams a response body produced over several event-loop turns', async () => {
      const { port } = await start();
      recorder.respond = () => {
        const parts = ['one,', 'two,', 'three'];
        const stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setImmediate(resolve));
            const part = parts.shift();
            if (part === undefined) controller.close();
            else controller.enqueue(new TextEncoder().encode(part));
          },
        });
        return new Response(stream, { headers: { 'content-type': 'text/plain' } });
      };

      const response = await fetch(`http://127.0.0.1:${port}/stream`);

      expect(response.status).toBe(200);
      expect(await response.text()).toBe('one,two,three');
    });

    it('answers 500 and reports the error when fetch throws', async () => {
      const { port } = await start();
      const failure = new Error('route exploded');
      recorder.respond = () => {
        throw failure;
      };

      const response = await fetch(`http://127.0.0.1:${port}/boom`);

      expect(response.status).toBe(500);
      expect(recorder.failures).toEqual([{ error: failure, where: 'fetch' }]);
    });

    it('opens a WebSocket on any path with id, address, origin and no compression', async () => {
      const { port } = await start();

      const { client, socket } = await accept(`ws://127.0.0.1:${port}/any/path`, {
        origin: 'http://example.test',
      });

      expect(socket.id).toMatch(UUID);
      expect(socket.remoteAddress).toBe('127.0.0.1');
      expect(socket.isLoopback).toBe(true);
      expect(socket.origin).toBe('http://example.test');
      expect(client.extensions).toBe(''); // permessage-deflate offered by the client, refused
      const second = await accept(`ws://127.0.0.1:${port}/`);
      expect(second.socket.origin).toBeUndefined();
      expect(second.socket.id).not.toBe(socket.id);
    });

    it('hands each received message to message() with its size', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);

      const text = once(recorder.events, 'message');
      client.send('{"type":"req"}');
      const [from, data, bytes] = (await text) as [GatewaySocket, Buffer, number];
      const binary = once(recorder.events, 'message');
      client.send(Buffer.from([1, 2, 3]));
      const [, binaryData, binaryBytes] = (await binary) as [GatewaySocket, Buffer, number];

      expect(from).toBe(socket);
      expect(data.toString('utf8')).toBe('{"type":"req"}');
      expect(bytes).toBe(14);
      expect([...binaryData]).toEqual([1, 2, 3]);
      expect(binaryBytes).toBe(3);
    });

    it('sends strings and Buffers as text frames', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const received = nextMessages(client, 2);

      expect(socket.send('one')).toBe(true);
      expect(socket.send(Buffer.from('two', 'utf8'))).toBe(true);

      expect(await received).toEqual([
        ['one', false],
        ['two', false],
      ]);
      expect(socket.bufferedAmount()).toBeGreaterThanOrEqual(0);
    });

    it('closes with the given code and reason, and reports the close once', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const clientClosed = once(client, 'close');
      const serverClosed = once(recorder.events, 'close');

      socket.close(4001, 'going away');

      const [code, reason] = (await clientClosed) as [number, Buffer];
      expect([code, reason.toString('utf8')]).toEqual([4001, 'going away']);
      const [closed, serverCode] = (await serverClosed) as [GatewaySocket, number, string];
      expect(closed).toBe(socket);
      expect(serverCode).toBe(4001);
      expect(socket.send('late')).toBe(false);
      expect(recorder.closeCalls.get(socket.id)).toBe(1);
    });

    it('truncates a close reason to 123 bytes without splitting a character', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const clientClosed = once(client, 'close');

      socket.close(4002, 'é'.repeat(100)); // 200 bytes of UTF-8

      const [code, reason] = (await clientClosed) as [number, Buffer];
      expect(code).toBe(4002);
      expect(reason.toString('utf8')).toBe('é'.repeat(61)); // 122 bytes
    });

    it('calls close exactly once when the client disconnects', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const serverClosed = once(recorder.events, 'close');

      client.close(1000, 'bye');

      const [closed, code, reason] = (await serverClosed) as [GatewaySocket, number, string];
      expect([closed, code, reason]).toEqual([socket, 1000, 'bye']);
      // Poking a closed socket must neither throw nor report a second close.
      expect(socket.send('late')).toBe(false);
      socket.close(1000, 'again');
      socket.terminate();
      await fetch(`http://127.0.0.1:${port}/`); // a full round trip through the transport
      expect(recorder.closeCalls.get(socket.id)).toBe(1);
    });

    it('reports 1006 once when the client drops the TCP connection', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const serverClosed = once(recorder.events, 'close');

      client.terminate();

      const [, code] = (await serverClosed) as [GatewaySocket, number, string];
      expect(code).toBe(1006);
      await fetch(`http://127.0.0.1:${port}/`);
      expect(recorder.closeCalls.get(socket.id)).toBe(1);
    });

    it('terminate drops the connection without a close frame', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const clientClosed = once(client, 'close');
      const serverClosed = once(recorder.events, 'close');

      socket.terminate();

      const [code] = (await clientClosed) as [number, Buffer];
      expect(code).toBe(1006);
      await serverClosed;
      expect(recorder.closeCalls.get(socket.id)).toBe(1);
    });

    it('accepts a frame of exactly maxPayloadBytes and closes with 1009 on a bigger one', async () => {
      const { port } = await start({ maxPayloadBytes: 1024 });
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);
      const delivered = once(recorder.events, 'message');
      client.send('x'.repeat(1024));
      const [, , bytes] = (await delivered) as [GatewaySocket, Buffer, number];
      expect(bytes).toBe(1024);
      const clientClosed = once(client, 'close');
      const serverClosed = once(recorder.events, 'close');

      client.send('x'.repeat(2048));

      const [code] = (await clientClosed) as [number, Buffer];
      expect(code).toBe(1009);
      await serverClosed;
      expect(recorder.closeCalls.get(socket.id)).toBe(1);
    });

    it.skipIf(!hasIpv6Loopback)('listens on 127.0.0.1 and ::1 with the same port', async () => {
      const { port } = await start({ hosts: ['127.0.0.1', '::1'], port: 0 });

      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect((await fetch(`http://[::1]:${port}/`)).status).toBe(200);
      const { socket } = await accept(`ws://[::1]:${port}/`);
      expect(socket.remoteAddress).toBe('::1');
      expect(socket.isLoopback).toBe(true);
    });

    it('refuses to share a port that is already bound', async () => {
      const { port } = await start();

      await expect(
        factory({ hosts: ['127.0.0.1'], port, maxPayloadBytes: 1024, handlers: recorder }),
      ).rejects.toThrow(/cannot listen on 127\.0\.0\.1/);
    });

    it('stopListening refuses new connections and keeps open sockets working', async () => {
      const { port } = await start();
      const { client, socket } = await accept(`ws://127.0.0.1:${port}/`);

      await transport?.stopListening();

      const refused = tcpConnect(port, '127.0.0.1');
      const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ECONNREFUSED');
      const received = nextMessages(client, 1);
      socket.send('still here');
      expect(await received).toEqual([['still here', false]]);
    });

    it('destroy closes every open socket and reports each close once', async () => {
      const started = await start();
      const first = await accept(`ws://127.0.0.1:${started.port}/`);
      const second = await accept(`ws://127.0.0.1:${started.port}/`);
      const clientsClosed = [once(first.client, 'close'), once(second.client, 'close')];

      await started.destroy();
      transport = undefined;

      await Promise.all(clientsClosed);
      expect(recorder.closeCalls.get(first.socket.id)).toBe(1);
      expect(recorder.closeCalls.get(second.socket.id)).toBe(1);
      expect(first.socket.send('late')).toBe(false);
    });
  });
});

describe('ws transport keepalive', () => {
  it('pings, keeps a peer that answers, and drops one that stopped answering (half-open)', async () => {
    const recorder = new Recorder();
    const transport = await factories.ws({ hosts: ['127.0.0.1'], port: 0, maxPayloadBytes: 1024, keepaliveMs: 100, handlers: recorder });
    const url = `ws://127.0.0.1:${transport.port}`;
    const live = new WebSocket(url);
    const dead = new WebSocket(url);
    await Promise.all([once(live, 'open'), once(dead, 'open')]);
    let pings = 0;
    live.on('ping', () => (pings += 1));
    // A paused socket reads nothing: it never sees the pings, so it never answers them.
    (dead as unknown as { _socket: { pause(): void } })._socket.pause();
    const [closed] = (await once(recorder.events, 'close')) as [GatewaySocket, number];
    expect(recorder.closeCalls.size).toBe(1);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(live.readyState).toBe(WebSocket.OPEN);
    expect(closed).toBeDefined();
    live.terminate();
    dead.terminate();
    await transport.destroy();
  });
});

describe('openTransport', () => {
  const handlers = new Recorder();
  const options = { hosts: ['127.0.0.1'], port: 0, maxPayloadBytes: 1024, handlers };

  it('opens ws when asked for ws', async () => {
    const transport = await openTransport({ ...options, prefer: 'ws' });
    await transport.destroy();
    expect(transport.kind).toBe('ws');
  });

  it('opens uWS under auto when a build loads, ws otherwise', async () => {
    const transport = await openTransport({ ...options, prefer: 'auto' });
    await transport.destroy();
    expect(transport.kind).toBe(uwsLoads ? 'uws' : 'ws');
  });

  it.runIf(uwsLoads)('opens uWS when asked for uws', async () => {
    const transport = await openTransport({ ...options, prefer: 'uws' });
    await transport.destroy();
    expect(transport.kind).toBe('uws');
  });

  it.runIf(!uwsLoads)('fails clearly when uws is asked for and no build loads', async () => {
    await expect(openTransport({ ...options, prefer: 'uws' })).rejects.toThrow(
      'no uWebSockets.js build loads on this machine',
    );
  });
});

describe('normaliseUwsAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', '127.0.0.1'],
    ['0000:0000:0000:0000:0000:ffff:c0a8:0a14', '192.168.10.20'],
    ['2001:0db8:0000:0000:0000:0000:0000:0042', '2001:db8::42'],
  ])('turns %s into %s', (raw, expected) => {
    expect(normaliseUwsAddress(raw)).toBe(expected);
  });
});
