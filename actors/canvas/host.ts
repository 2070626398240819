import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { CANVAS_PREFIX, serveCanvas } from './files.js';
import { subsystemLogger, type Logger } from '../logs/logger.js';
import type { GatewayModuleFactory } from '../gateway/module.js';

/** Where the canvas host serves from and listens. */
export interface CanvasHostOptions {
  /** The folder served (`canvasHost.root`, default `<workspace>/canvas`). */
  readonly root: string;
  /** Own port (`canvasHost.port`, default gateway port + 4); undefined: the gateway port only. */
  readonly port: number | undefined;
  /** Hosts to listen on (the gateway's). */
  readonly hosts: readonly string[];
  readonly logger: Logger;
}

/** A running canvas server on its own port. */
export interface CanvasServer {
  readonly port: number;
  close(): Promise<void>;
}

async function answer(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // The raw request target, not a normalised URL: traversal attempts must reach the checks.
  const pathname = (request.url ?? '/').split('?')[0] ?? '/';
  const result = await serveCanvas(root, pathname, request.method ?? 'GET');
  response.writeHead(result.status, Object.fromEntries(result.headers.entries()));
  response.end(result.body ? Buffer.from(await result.arrayBuffer()) : undefined);
}

/** Starts the canvas file server on `port` on every host that can be bound (at least the first). */
export async function startCanvasServer(root: string, port: number, hosts: readonly string[], logger: Logger): Promise<CanvasServer> {
  const servers: Server[] = [];
  let bound = port;
  for (const [index, host] of hosts.entries()) {
    const server = createServer((request, response) => {
      answer(root, request, response).catch((error: unknown) => {
        logger.error('canvas request failed', { url: request.url, error: (error as Error).message });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(bound, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // A loopback bind also tries ::1, which some hosts lack; the first host must work.
      if (index === 0) {
        await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
        throw error;
      }
      continue;
    }
    const address = server.address();
    if (index === 0 && typeof address === 'object' && address) bound = address.port;
    servers.push(server);
  }
  return {
    port: bound,
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

/**
 * The canvas host as a gateway module: `/__openclaw__/canvas/` on the gateway port (today's
 * product) and, when a port is set, the same files on their own port (the runbook's base + 4).
 * A canvas port that cannot be bound is a warning, not a failed start: the gateway port still serves.
 */
export const canvasHostModule =
  (options: CanvasHostOptions): GatewayModuleFactory =>
  () => {
    const logger = subsystemLogger(options.logger, 'canvas');
    let server: CanvasServer | undefined;
    return {
      name: 'canvas',
      routes(app: Hono) {
        const handler = (c: { req: { raw: Request } }) => serveCanvas(options.root, new URL(c.req.raw.url).pathname, c.req.raw.method);
        app.on(['GET', 'HEAD'], CANVAS_PREFIX, handler);
        app.on(['GET', 'HEAD'], `${CANVAS_PREFIX}/*`, handler);
      },
      async start() {
        if (options.port === undefined) return;
        try {
          server = await startCanvasServer(options.root, options.port, options.hosts, logger);
          logger.info(`canvas host on http://${options.hosts[0] ?? '127.0.0.1'}:${server.port}${CANVAS_PREFIX}/`, { root: options.root });
        } catch (error) {
          logger.warn(`canvas host could not listen on port ${options.port}: ${(error as Error).message}; serving ${CANVAS_PREFIX}/ on the gateway port only`);
        }
      },
      async stop() {
        await server?.close();
        server = undefined;
      },
    };
  };
