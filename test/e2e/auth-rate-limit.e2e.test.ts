/**
 * `gateway.auth.rateLimit`: wrong shared secrets from one client are counted and lock that
 * client out (AUTH_RATE_LIMITED, retryable, close 1008) without ever locking out a client with
 * the right secret from another address; loopback is exempt, a browser Origin never is.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectParams } from '../helpers/raw-client.js';

const TOKEN = 'test-token-0123456789';
/** A non-loopback IPv4 address of this machine: connecting to it from it is a non-loopback client. */
const LAN = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
let gateway: GatewayProcess;

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN, rateLimit: { maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000 } } },
  }));
  gateway = await startGatewayProcess({ stateDir, token: TOKEN, args: ['--bind', 'lan'] });
});
afterAll(async () => {
  await gateway.stop();
  gateway.cleanup();
});

interface Outcome { ok: boolean; code?: string; retryable?: boolean; retryAfterMs?: number; close?: number }

/** One `connect` attempt from `host`, optionally with a browser Origin; resolves with the answer and the close code. */
async function attempt(host: string, token: string, origin?: string): Promise<Outcome> {
  const ws = new WebSocket(`ws://${host}:${gateway.port}`, { perMessageDeflate: false, ...(origin ? { origin } : {}) });
  return new Promise((resolve, reject) => {
    let outcome: Outcome | undefined;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; event?: string; id?: string; ok?: boolean; error?: { details?: { code?: string }; retryable?: boolean; retryAfterMs?: number } };
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: connectParams({}, token) }));
      } else if (frame.type === 'res' && frame.id === 'c') {
        outcome = { ok: frame.ok === true, code: frame.error?.details?.code, retryable: frame.error?.retryable, retryAfterMs: frame.error?.retryAfterMs };
        if (frame.ok === true) {
          ws.terminate();
          resolve(outcome);
        }
      }
    });
    ws.on('close', (code) => resolve({ ...(outcome ?? { ok: false }), close: code }));
    ws.on('error', reject);
  });
}

describe('auth rate limit', () => {
  it.skipIf(LAN === undefined)('locks out a client after maxAttempts wrong secrets, even with the right one, and never another address', async () => {
    const lan = LAN as string;
    for (let i = 0; i < 3; i += 1) expect(await attempt(lan, 'wrong-token')).toMatchObject({ ok: false, code: 'AUTH_TOKEN_MISMATCH', close: 1008 });
    const locked = await attempt(lan, TOKEN);
    expect(locked).toMatchObject({ ok: false, code: 'AUTH_RATE_LIMITED', retryable: true, close: 1008 });
    expect(locked.retryAfterMs).toBeGreaterThan(50_000);
    // The right secret from another address is never locked out.
    expect(await attempt('127.0.0.1', TOKEN)).toMatchObject({ ok: true });
  });

  it('exempts loopback without an Origin, but counts a browser Origin on loopback', async () => {
    for (let i = 0; i < 5; i += 1) expect(await attempt('127.0.0.1', 'wrong-token')).toMatchObject({ code: 'AUTH_TOKEN_MISMATCH' });
    expect(await attempt('127.0.0.1', TOKEN)).toMatchObject({ ok: true });
    const origin = `http://127.0.0.1:${gateway.port}`;
    for (let i = 0; i < 3; i += 1) expect(await attempt('127.0.0.1', 'wrong-token', origin)).toMatchObject({ code: 'AUTH_TOKEN_MISMATCH' });
    expect(await attempt('127.0.0.1', TOKEN, origin)).toMatchObject({ ok: false, code: 'AUTH_RATE_LIMITED' });
    // The lockout is that origin's: the CLI on the same machine still gets in.
    expect(await attempt('127.0.0.1', TOKEN)).toMatchObject({ ok: true });
  });
});
