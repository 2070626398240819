/**
 * The client connection the CLI's gateway clients share (actors/client/connection.ts), against a
 * real gateway process: how it fails (unreachable, refused connect, refused request, no answer)
 * and how it waits past an `accepted` ack for the final response.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConnection, RpcError, type GatewayConnectionOptions } from '../../../actors/client/connection.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';

let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGatewayProcess();
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

const options = (overrides: Partial<GatewayConnectionOptions> = {}): GatewayConnectionOptions => ({
  url: gateway.url,
  token: gateway.token,
  client: { id: 'cli', version: 'test', platform: process.platform, mode: 'cli' },
  scopes: ['operator.write'],
  timeoutMs: 10_000,
  timeoutMessage: 'no answer in time',
  ...overrides,
});

/** Runs `body` on an open connection and closes it whatever happens. */
async function withConnection<T>(extra: Partial<GatewayConnectionOptions>, body: (connection: GatewayConnection) => Promise<T>): Promise<T> {
  const connection = await GatewayConnection.open(options(extra));
  try {
    return await body(connection);
  } finally {
    connection.close(1000);
  }
}

const agentParams = (message: string) => ({ message, idempotencyKey: randomUUID(), sessionKey: `connection-${randomUUID()}` });

describe('GatewayConnection.open', () => {
  it('resolves with hello-ok after answering the challenge', async () => {
    const hello = await withConnection({}, async (connection) => connection.hello);
    expect(hello).toMatchObject({ type: 'hello-ok', protocol: 4 });
  });

  it('fails fast as unreachable when nothing listens on the port', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await GatewayConnection.open(options({ url: `ws://127.0.0.1:${port}` })).catch((cause: unknown) => cause);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ kind: 'unreachable', message: `gateway unreachable at ws://127.0.0.1:${port}: ECONNREFUSED` });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects a bad token as rejected, carrying the wire error', async () => {
    const error = await GatewayConnection.open(options({ token: 'not-the-token' })).catch((cause: unknown) => cause);
    expect(error).toBeInstanceOf(RpcError);
    const message = 'unauthorized: gateway token mismatch (check the token in your config or OPENCLAW_GATEWAY_TOKEN)';
    expect(error).toMatchObject({ kind: 'rejected', message });
    expect((error as RpcError).error).toEqual({
      code: 'INVALID_REQUEST',
      message,
      details: { code: 'AUTH_TOKEN_MISMATCH', authReason: 'token_mismatch', canRetryWithDeviceToken: false, recommendedNextStep: 'update_auth_credentials' },
    });
  });

  describe('when the peer accepts TCP but never upgrades', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket));
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await once(silent, 'close');
    });

    it('fails as timeout with the caller\'s message once timeoutMs passed', async () => {
      const address = silent.address();
      if (typeof address !== 'object' || address === null) throw new Error('no address');
      const error = await GatewayConnection.open(options({ url: `ws://127.0.0.1:${address.port}`, timeoutMs: 300, upgradeTimeoutMs: 10_000 })).catch((cause: unknown) => cause);
      expect(error).toBeInstanceOf(RpcError);
      expect(error).toMatchObject({ kind: 'timeout', message: 'no answer in time' });
    });
  });
});

describe('GatewayConnection.request', () => {
  it('rejects an ok:false answer as rejected, carrying the wire error', async () => {
    const error = await withConnection({}, (connection) => connection.request('x').catch((cause: unknown) => cause));
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ kind: 'rejected', message: 'unknown method: x', error: { code: 'INVALID_REQUEST', message: 'unknown method: x' } });
  });

  it('resolves with the accepted ack without expectFinal', async () => {
    const params = agentParams('ack only');
    const payload = await withConnection({}, (connection) => connection.request('agent', params));
    expect(payload).toMatchObject({ runId: params.idempotencyKey, status: 'accepted' });
  });

  it('skips the accepted ack with expectFinal and resolves with the final answer, events streaming meanwhile', async () => {
    const params = agentParams('to the end');
    const acks: unknown[] = [];
    const events: string[] = [];
    const payload = await withConnection({ onEvent: (event) => events.push(event) }, (connection) =>
      connection.request('agent', params, { expectFinal: true, onAccepted: (ack) => acks.push(ack) }),
    );
    expect(acks).toEqual([expect.objectContaining({ runId: params.idempotencyKey, status: 'accepted' })]);
    expect(payload).toMatchObject({ runId: params.idempotencyKey, status: 'ok' });
    expect(events).toContain('agent');
  });
});
