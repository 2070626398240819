import { createServer } from 'node:net';

/** Why an address could not be bound: the OS error code (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`…). */
export class ListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot listen on ${formatHostPort(host, port)} (${code})`, options);
    this.name = 'ListenError';
  }
}

/** `127.0.0.1:18789`, `[::1]:18789`. */
export const formatHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * The OS error a plain bind of `host:port` gets right now (uWebSockets.js reports only a failed
 * listen, not why): `EADDRINUSE` when something listens there, `UNKNOWN` if the bind succeeds.
 */
export function bindErrorCode(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'UNKNOWN'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('UNKNOWN')));
  });
}
