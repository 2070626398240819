/**
 * Pre-auth socket bounds: 32 unauthenticated sockets per address by default (as the official),
 * a total bound across addresses, `503` on the upgrade beyond either, and a socket stops
 * counting once `connect` admitted it or it closed. 127.0.0.2/127.0.0.3 are distinct sources.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectParams } from '../helpers/raw-client.js';

let gateways: GatewayProcess[] = [];
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const gateway of gateways.splice(0)) {
    await gateway.stop();
    gateway.cleanup();
  }
});

async function start(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ env });
  gateways.push(gateway);
  return gateway;
}

/** Opens a WebSocket from `localAddress`; resolves with the socket, or the HTTP status it was refused with. */
async function upgrade(gateway: GatewayProcess, localAddress = '127.0.0.1'): Promise<WebSocket | number> {
  const ws = new WebSocket(gateway.url, { localAddress, perMessageDeflate: false });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function upgrades(gateway: GatewayProcess, count: number, localAddress?: string): Promise<Array<WebSocket | number>> {
  const results: Array<WebSocket | number> = [];
  for (let i = 0; i < count; i += 1) results.push(await upgrade(gateway, localAddress));
  return results;
}

const statuses = (results: Array<WebSocket | number>) => results.map((r) => (typeof r === 'number' ? r : 101));

async function authenticate(ws: WebSocket): Promise<void> {
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  ws.send(JSON.stringify({ type: 'req', id: 'c1', method: 'connect', params: connectParams() }));
  while (!frames.some((f) => f.type === 'res' && f.id === 'c1')) await once(ws, 'message');
  expect(frames.find((f) => f.id === 'c1')?.ok).toBe(true);
}

describe('pre-auth socket limits', () => {
  it('admits 32 unauthenticated sockets from one address, answers 503 beyond, and frees a slot on connect or close', async () => {
    const gateway = await start();
    const first = await upgrades(gateway, 32);
    expect(statuses(first)).toEqual(Array(32).fill(101));
    expect(statuses(await upgrades(gateway, 3))).toEqual([503, 503, 503]);
    // Another address is not affected.
    expect(statuses(await upgrades(gateway, 1, '127.0.0.2'))).toEqual([101]);
    // An authenticated socket no longer counts; a closed one neither.
    await authenticate(first[0] as WebSocket);
    expect(statuses(await upgrades(gateway, 1))).toEqual([101]);
    const closing = first[1] as WebSocket;
    closing.close();
    await once(closing, 'close');
    await expect.poll(async () => statuses(await upgrades(gateway, 1)), { timeout: 5000 }).toEqual([101]);
    expect(statuses(await upgrades(gateway, 1))).toEqual([503]);
  });

  it('bounds unauthenticated sockets in total across addresses', async () => {
    const gateway = await start({ OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP: '4', OPENCLAW_MAX_PREAUTH_CONNECTIONS: '6' });
    expect(statuses(await upgrades(gateway, 5, '127.0.0.2'))).toEqual([101, 101, 101, 101, 503]);
    expect(statuses(await upgrades(gateway, 3, '127.0.0.3'))).toEqual([101, 101, 503]);
    // A third address is refused too: the total is reached.
    expect(statuses(await upgrades(gateway, 1, '127.0.0.4'))).toEqual([503]);
  });

  it('closes a socket that never authenticates after the handshake timeout, which frees its slot', async () => {
    const gateway = await start({ OPENCLAW_HANDSHAKE_TIMEOUT_MS: '500', OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP: '2' });
    const [a, b] = (await upgrades(gateway, 2)) as WebSocket[];
    expect(statuses(await upgrades(gateway, 1))).toEqual([503]);
    const [closedA] = await Promise.all([once(a as WebSocket, 'close'), once(b as WebSocket, 'close')]);
    expect(closedA[0]).toBe(1000);
    expect(statuses(await upgrades(gateway, 1))).toEqual([101]);
  });
});
