/**
 * The handshake failure matrix over a real socket (PROTOCOL.md §2.6, §3.3): what the gateway
 * answers (if anything) and how it closes, for every way a first frame can be wrong.
 */
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { params } from '../helpers/client-pool.js';
import type { RawClient } from '../helpers/raw-client.js';

const { gateway, pool } = useSharedGateway();

/** Opens a socket, waits for the challenge and sends `first` as the first frame. */
async function sendFirst(first: unknown): Promise<RawClient> {
  const client = await pool.open();
  await client.event('connect.challenge');
  client.send(first);
  return client;
}

/** Frames the gateway sent after the challenge. */
const afterChallenge = (client: RawClient) => client.log.filter((f) => !(f.type === 'event' && f.event === 'connect.challenge'));

/** Expects a failed connect answered with `error`, then a close with `code` and the message as reason. */
async function expectRefused(client: RawClient, id: string, error: Record<string, unknown>, code: number): Promise<void> {
  const closed = await client.waitClosed();
  expect(afterChallenge(client)).toEqual([{ type: 'res', id, ok: false, error }]);
  expect(closed).toEqual({ code, reason: error.message });
}

describe('handshake failures', () => {
  it('answers a first request that is not connect with INVALID_REQUEST, then closes 1008 with the same text', async () => {
    const client = await sendFirst({ type: 'req', id: 'first-1', method: 'health' });
    await expectRefused(client, 'first-1', { code: 'INVALID_REQUEST', message: 'invalid handshake: first request must be connect' }, 1008);
  });

  it('closes 1000 with no reason and no response when the first frame is not JSON', async () => {
    const client = await sendFirst('{"type":"req", this is not json');
    expect(await client.waitClosed()).toEqual({ code: 1000, reason: '' });
    expect(afterChallenge(client)).toEqual([]);
  });

  it('closes 1008 "invalid request frame" with no response when the first frame is JSON but not a request', async () => {
    const client = await sendFirst({ hello: 'world' });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: 'invalid request frame' });
    expect(afterChallenge(client)).toEqual([]);
  });

  it('treats a request frame with an unknown top-level key as not a request (closed frame schema)', async () => {
    const client = await sendFirst({ type: 'req', id: 'x-1', method: 'connect', params: params(), bogus: true });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: 'invalid request frame' });
    expect(afterChallenge(client)).toEqual([]);
  });

  it('refuses connect params with an unknown property: "invalid connect params: at root: unexpected property", close 1008', async () => {
    const client = await sendFirst({ type: 'req', id: 'p-1', method: 'connect', params: { ...params(), bogus: 1 } });
    await expectRefused(client, 'p-1', { code: 'INVALID_REQUEST', message: "invalid connect params: at root: unexpected property 'bogus'" }, 1008);
  });

  it('refuses connect params missing a required property, close 1008', async () => {
    const { minProtocol: _omitted, ...rest } = params();
    const client = await sendFirst({ type: 'req', id: 'p-2', method: 'connect', params: rest });
    await expectRefused(client, 'p-2', { code: 'INVALID_REQUEST', message: "invalid connect params: must have required property 'minProtocol'" }, 1008);
  });

  it('refuses connect without params (absent params mean {}), close 1008', async () => {
    const client = await sendFirst({ type: 'req', id: 'p-3', method: 'connect' });
    await expectRefused(client, 'p-3', { code: 'INVALID_REQUEST', message: "invalid connect params: must have required property 'minProtocol'" }, 1008);
  });

  it('refuses an unknown client.id with the official enum message (PROTOCOL.md §2.2), close 1008', async () => {
    const client = await sendFirst({
      type: 'req',
      id: 'p-4',
      method: 'connect',
      params: params({ client: { id: 'bogus', version: 'e2e', platform: 'linux', mode: 'cli' } }),
    });
    await expectRefused(
      client,
      'p-4',
      { code: 'INVALID_REQUEST', message: 'invalid connect params: at /client/id: must be equal to one of the allowed values' },
      1008,
    );
  });

  it('refuses a role other than operator or node: INVALID_REQUEST "invalid role", close 1008', async () => {
    const client = await sendFirst({ type: 'req', id: 'r-1', method: 'connect', params: params({ role: 'worker' }) });
    await expectRefused(client, 'r-1', { code: 'INVALID_REQUEST', message: 'invalid role' }, 1008);
  });

  it('closes 1009 without a response when a pre-auth frame is larger than 64 KiB', async () => {
    const big = { type: 'req', id: 'big-1', method: 'connect', params: params({ userAgent: 'x'.repeat(70 * 1024) }) };
    expect(JSON.stringify(big).length).toBeGreaterThan(65_536);
    const client = await sendFirst(big);
    expect(await client.waitClosed()).toEqual({ code: 1009, reason: 'preauth payload too large' });
    expect(afterChallenge(client)).toEqual([]);
  });

  it('admits a valid connect just under the pre-auth limit', async () => {
    const base = JSON.stringify({ type: 'req', id: 'ok-1', method: 'connect', params: params({ userAgent: '' }) });
    const padded = { type: 'req', id: 'ok-1', method: 'connect', params: params({ userAgent: 'x'.repeat(65_536 - base.length) }) };
    expect(JSON.stringify(padded).length).toBe(65_536);
    const client = await sendFirst(padded);
    expect(await client.response('ok-1')).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  });
});
