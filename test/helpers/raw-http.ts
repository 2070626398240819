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
