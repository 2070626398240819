import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { once } from 'node:events';
import { startGateway, type RunningGateway } from '../../actors/gateway/system.js';
import { createLogger } from '../../actors/logs/logger.js';
import type { NodesConfig } from '../../actors/nodes/hub.js';
import { RawClient, connectParams, type Frame } from './raw-client.js';
import { TestDevice, withDevice, type SignOptions } from './device-signer.js';

export const NODES_TOKEN = 'nodes-token-0123456789';

/** An in-process gateway on a real ws transport and a real journal file, restartable on the same file. */
export class NodesGateway {
  gateway!: RunningGateway;
  readonly dir = mkdtempSync(join(tmpdir(), 'openclaw-nodes-'));

  constructor(private readonly nodes?: NodesConfig) {}

  get url(): string {
    return `ws://127.0.0.1:${this.gateway.port}`;
  }

  async start(): Promise<this> {
    this.gateway = await startGateway({
      port: 0,
      hosts: ['127.0.0.1'],
      auth: { mode: 'token', secret: NODES_TOKEN },
      journalPath: join(this.dir, 'journal.sqlite'),
      transport: 'ws',
      tickIntervalMs: 30_000,
      handshakeTimeoutMs: 15_000,
      healthRefreshMs: 60_000,
      agents: [{ id: 'main', workspace: this.dir, isDefault: true }],
      logger: createLogger({ level: 'error', write: () => undefined }),
      ...(this.nodes ? { nodes: this.nodes } : {}),
    });
    return this;
  }

  async restart(): Promise<void> {
    await this.gateway.stop({ reason: 'test restart' });
    await this.start();
  }

  async stop(): Promise<void> {
    await this.gateway.stop({ reason: 'test done' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Opens a socket (optionally with upgrade headers) and returns it with its challenge. */
  async open(headers?: Record<string, string>): Promise<{ client: RawClient; challenge: { nonce: string; ts: number } }> {
    const client = headers ? await openWithHeaders(this.url, headers) : await RawClient.open(this.url);
    const challenge = (await client.event('connect.challenge')).payload as { nonce: string; ts: number };
    return { client, challenge };
  }

  /** A signed connect of `device` with `params`; resolves with the socket and the `connect` response. */
  async connectDevice(device: TestDevice, params: Record<string, unknown>, options: SignOptions = {}, headers?: Record<string, string>): Promise<{ client: RawClient; res: Frame }> {
    const { client, challenge } = await this.open(headers);
    const res = await client.call('connect', withDevice(device, params, challenge, options));
    return { client, res };
  }

  /** An operator (no device) with the given scopes. */
  async operator(scopes: string[] = ['operator.admin', 'operator.pairing', 'operator.read', 'operator.write']): Promise<RawClient> {
    const { client } = await this.open();
    const res = await client.call('connect', connectParams({ scopes, client: { id: 'cli', version: 'test', platform: 'linux', mode: 'cli' } }, NODES_TOKEN));
    if (res.ok !== true) throw new Error(`operator refused: ${JSON.stringify(res.error)}`);
    return client;
  }
}

/** RawClient.open with extra upgrade headers (e.g. X-Forwarded-For). */
async function openWithHeaders(url: string, headers: Record<string, string>): Promise<RawClient> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const client = RawClient.wrap(ws);
  await once(ws, 'open');
  return client;
}
