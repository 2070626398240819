import { connect, type Socket } from 'node:net';

/** What a raw TCP exchange saw: the bytes answered, whether and when the server ended it. */
export interface RawExchange {
  readonly socket: Socket;
  /** Everything received so far (latin1). */
  received(): string;
  /** Resolves when the server closed (or reset) the connection, with ms since `open`; rejects after `timeoutMs`. */
  closed(timeoutMs?: number): Promise<number>;
  /** Resolves once `received()` matches `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Opens a TCP connection to 127.0.0.1:`port` and writes `bytes` (HTTP by hand, malformed on purpose). */
export async function rawExchange(port: number, bytes: string | Buffer = ''): Promise<RawExchange> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined); // a reset is an ending like any other here
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const opened = Date.now();
  let text = '';
  let endedAt: number | undefined;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    wake();
  });
  socket.on('close', () => {
    endedAt = Date.now() - opened;
    wake();
  });
  if (bytes.length > 0) socket.write(bytes);
  const until = async <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} within ${timeoutMs} ms; received ${JSON.stringify(text.slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return {
    socket,
    received: () => text,
    closed: (timeoutMs = 5000) => until(() => endedAt, timeoutMs, 'connection not closed'),
    waitFor: (pattern, timeoutMs = 5000) => until(() => (pattern.test(text) ? text : endedAt !== undefined ? '' : undefined), timeoutMs, `no ${pattern}`).then((t) => {
      if (t === '') throw new Error(`connection closed before ${pattern}; received ${JSON.stringify(text.slice(0, 300))}`);
      return t;
    }),
  };
}

/** Keeps writing `chunk`-sized HTTP chunks until the connection ends or `stop()`; returns the bytes written. */
export function streamChunks(socket: Socket, chunkBytes = 64 * 1024): { stop(): void; written(): number } {
  const payload = Buffer.concat([Buffer.from(`${chunkBytes.toString(16)}\r\n`), Buffer.alloc(chunkBytes, 0x61), Buffer.from('\r\n')]);
  let written = 0;
  let stopped = false;
  const pump = (): void => {
    while (!stopped && !socket.destroyed && socket.writable) {
      written += payload.length;
      if (!socket.write(payload)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  socket.on('close', () => (stopped = true));
  setImmediate(pump);
  return { stop: () => (stopped = true), written: () => written };
}

/** An upgrade request for `/` with a fixed key (RFC 6455 §1.3's sample), version 13 unless told. */
export function upgradeRequest(version = '13', extraHeaders: readonly string[] = []): string {
  return ['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `Sec-WebSocket-Version: ${version}`, ...extraHeaders, '', ''].join('\r\n');
}

/** One WebSocket frame as a client would send it, or (with options) as no valid client would. */
export function wsFrame(opcode: number, payload: Buffer, options: { mask?: boolean; fin?: boolean; rsv?: number } = {}): Buffer {
  const { mask = true, fin = true, rsv = 0 } = options;
  const length = payload.length;
  const head = [(fin ? 0x80 : 0) | rsv | opcode];
  if (length < 126) head.push((mask ? 0x80 : 0) | length);
  else head.push((mask ? 0x80 : 0) | 126, length >> 8, length & 0xff);
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A server frame as read off the wire: its opcode and, for a close frame, code and reason. */
export interface ServerFrame {
  readonly opcode: number;
  readonly payload: Buffer;
  /** Close frames only: the status code (undefined for an empty close payload) and the reason. */
  readonly code?: number;
  readonly reason?: string;
}

/** Splits the bytes after the 101 response into (unmasked) server frames. */
export function parseServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] ?? 0) & 0x0f;
    let length = (bytes[at + 1] ?? 0) & 0x7f;
    let header = 2;
    if (length === 126) [length, header] = [bytes.readUInt16BE(at + 2), 4];
    else if (length === 127) [length, header] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    if (at + header + length > bytes.length) break;
    const payload = bytes.subarray(at + header, at + header + length);
    frames.push(opcode === 8 && payload.length >= 2 ? { opcode, payload, code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') } : { opcode, payload });
    at += header + length;
  }
  return frames;
}

/** The server frames of a raw exchange that upgraded (everything after the 101 response's head). */
export function framesAfterUpgrade(exchange: RawExchange): ServerFrame[] {
  const text = exchange.received();
  const end = text.indexOf('\r\n\r\n');
  return end === -1 ? [] : parseServerFrames(Buffer.from(text.slice(end + 4), 'latin1'));
}
