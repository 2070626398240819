/**
 * The pre-auth handshake deadline (PROTOCOL.md §2.1): a socket that never sends `connect` is
 * closed with 1000 and no reason; OPENCLAW_HANDSHAKE_TIMEOUT_MS shortens the 15 s default.
 */
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';

const HANDSHAKE_TIMEOUT_MS = 300;

const { gateway, pool } = useSharedGateway({ env: { OPENCLAW_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS) } });

describe('handshake timeout', () => {
  it('closes a socket that sends nothing after the challenge with 1000 and an empty reason', async () => {
    const opened = Date.now();
    const client = await pool.open();
    await client.event('connect.challenge');
    expect(await client.waitClosed(5000)).toEqual({ code: 1000, reason: '' });
    const elapsed = Date.now() - opened;
    expect(elapsed).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 2500);
    expect(client.log.map((f) => f.type === 'event' && f.event)).toEqual(['connect.challenge']);
  });

  it('leaves a connected socket open after the deadline has passed', async () => {
    const { client } = await pool.connect();
    const idle = await pool.open();
    // The idle socket was opened later, so its close proves the connected socket's deadline passed too.
    expect(await idle.waitClosed(5000)).toEqual({ code: 1000, reason: '' });
    expect(await client.call('health')).toMatchObject({ ok: true });
    expect(client.closed).toBeNull();
  });
});
