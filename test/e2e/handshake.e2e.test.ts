/**
 * The connect handshake over a real socket (PROTOCOL.md §2.1, §2.3, §2.5): challenge first,
 * version windows, the hello-ok shape, and a second `connect` on a live socket.
 */
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { params } from '../helpers/client-pool.js';
import { TestDevice, withDevice } from '../helpers/device-signer.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const { gateway, pool } = useSharedGateway();

describe('handshake', () => {
  it('sends connect.challenge {nonce, ts} as the first frame, without seq', async () => {
    const before = Date.now();
    const client = await pool.open();
    const first = await client.next();
    expect(first).toEqual({ type: 'event', event: 'connect.challenge', payload: { nonce: expect.stringMatching(/.+/), ts: expect.any(Number) } });
    const { nonce, ts } = first.payload as { nonce: string; ts: number };
    expect(nonce).toMatch(UUID);
    expect(Number.isInteger(ts)).toBe(true);
    expect(ts).toBeGreaterThanOrEqual(before - 1000);
    expect(ts).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('gives every socket its own challenge nonce', async () => {
    const a = await pool.open();
    const b = await pool.open();
    const [ca, cb] = await Promise.all([a.event('connect.challenge'), b.event('connect.challenge')]);
    expect((ca.payload as { nonce: string }).nonce).not.toBe((cb.payload as { nonce: string }).nonce);
  });

  describe('protocol windows', () => {
    it('accepts an operator asking for 4–4 and answers protocol 4', async () => {
      const { res } = await pool.attempt(params({ minProtocol: 4, maxProtocol: 4 }));
      expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok', protocol: 4 } });
    });

    it('accepts a probe client asking for 3–4 and answers protocol 4', async () => {
      const { res } = await pool.attempt(
        params({ minProtocol: 3, maxProtocol: 4, client: { id: 'cli', version: 'dev', platform: 'linux', mode: 'probe' } }),
      );
      expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok', protocol: 4 } });
    });

    it('accepts a v3 node (role node, mode node, 3–3) that carries a device, and still answers protocol 4', async () => {
      const client = await pool.open();
      const challenge = (await client.event('connect.challenge')).payload as { nonce: string; ts: number };
      const node = params({
        minProtocol: 3,
        maxProtocol: 3,
        role: 'node',
        scopes: [],
        client: { id: 'node-host', version: '1.0.0', platform: 'linux', mode: 'node' },
      });
      const res = await client.call('connect', withDevice(TestDevice.random(), node, challenge));
      expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok', protocol: 4, auth: { role: 'node', scopes: [] } } });
    });

    it('refuses a node without a device: NOT_PAIRED "device identity required", close 1008', async () => {
      const { client, res } = await pool.attempt(
        params({ minProtocol: 3, maxProtocol: 3, role: 'node', scopes: [], client: { id: 'node-host', version: '1.0.0', platform: 'linux', mode: 'node' } }),
      );
      expect(res).toEqual({
        type: 'res',
        id: res.id,
        ok: false,
        error: { code: 'NOT_PAIRED', message: 'device identity required', details: { code: 'DEVICE_IDENTITY_REQUIRED' } },
      });
      expect(await client.waitClosed()).toEqual({ code: 1008, reason: 'device identity required' });
    });

    it('refuses an operator asking for 3–3: INVALID_REQUEST "protocol mismatch", PROTOCOL_MISMATCH details, close 1002', async () => {
      const { client, res } = await pool.attempt(params({ minProtocol: 3, maxProtocol: 3 }));
      expect(res).toEqual({
        type: 'res',
        id: res.id,
        ok: false,
        error: {
          code: 'INVALID_REQUEST',
          message: 'protocol mismatch',
          details: { code: 'PROTOCOL_MISMATCH', clientMinProtocol: 3, clientMaxProtocol: 3, expectedProtocol: 4, minimumProbeProtocol: 3 },
        },
      });
      expect(await client.waitClosed()).toEqual({ code: 1002, reason: 'protocol mismatch' });
    });

    it('refuses a probe that only speaks 2: close 1002', async () => {
      const { client, res } = await pool.attempt(
        params({ minProtocol: 2, maxProtocol: 2, client: { id: 'cli', version: 'dev', platform: 'linux', mode: 'probe' } }),
      );
      expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'protocol mismatch', details: { code: 'PROTOCOL_MISMATCH' } } });
      expect(await client.waitClosed()).toEqual({ code: 1002, reason: 'protocol mismatch' });
    });
  });

  it('answers a hello-ok with server, features, snapshot, auth and policy', async () => {
    const { client, hello } = await pool.connect();
    expect(hello).toMatchObject({
      type: 'hello-ok',
      protocol: 4,
      server: { version: expect.any(String), connId: expect.stringMatching(UUID) },
      features: { methods: expect.any(Array), events: expect.any(Array) },
      snapshot: {
        presence: expect.any(Array),
        health: expect.any(Object),
        stateVersion: { presence: expect.any(Number), health: expect.any(Number) },
        uptimeMs: expect.any(Number),
      },
      auth: { role: 'operator', scopes: ['operator.read', 'operator.write', 'operator.admin'] },
      policy: { maxPayload: 26_214_400, maxBufferedBytes: 52_428_800, tickIntervalMs: 30_000 },
    });
    expect(hello.features.methods).toEqual(
      expect.arrayContaining(['health', 'status', 'system-presence', 'system-event', 'last-heartbeat', 'wake', 'agents.list', 'events.replay']),
    );
    expect(hello.features.events).toEqual(expect.arrayContaining(['connect.challenge', 'tick', 'presence', 'health', 'shutdown']));
    expect(hello.snapshot.presence[0]).toMatchObject({ mode: 'gateway', reason: 'self' });
    expect(hello.snapshot.stateVersion.presence).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(hello.snapshot.uptimeMs) && hello.snapshot.uptimeMs >= 0).toBe(true);
    // The socket is usable right after hello-ok.
    expect(await client.call('health')).toMatchObject({ ok: true });
  });

  it('gives every connection its own connId', async () => {
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    expect(a.hello.server.connId).not.toBe(b.hello.server.connId);
  });

  it('refuses a second connect on a live socket with INVALID_REQUEST and keeps the socket open', async () => {
    const { client } = await pool.connect();
    const res = await client.call('connect', params());
    expect(res).toEqual({
      type: 'res',
      id: res.id,
      ok: false,
      error: { code: 'INVALID_REQUEST', message: 'connect is only valid as the first request' },
    });
    expect(await client.call('health')).toMatchObject({ ok: true });
    expect(client.closed).toBeNull();
  });
});
