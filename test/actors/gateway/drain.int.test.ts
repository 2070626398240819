/**
 * A request that arrives while the gateway drains (issue 12, "What a new user hits" 10): it gets
 * UNAVAILABLE / SHUTTING_DOWN (retryable) before close 1012, never silence. A module whose stop
 * waits for the test holds the drain open, so the order is decided by events, not by time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../../../actors/gateway/system.js';
import { createLogger } from '../../../actors/logs/logger.js';
import { loadUws } from '../../../actors/transport/uws.js';
import { connectClient } from '../../helpers/raw-client.js';

const TOKEN = 'drain-token-0123456789';
const transports = (['ws', 'uws'] as const).filter((kind) => kind === 'ws' || loadUws() !== undefined);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each(transports)('drain on %s', (transport) => {
  it('answers a request sent after the shutdown event with SHUTTING_DOWN, then closes 1012', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-drain-'));
    dirs.push(dir);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stopping: () => void = () => undefined;
    const stopStarted = new Promise<void>((resolve) => (stopping = resolve));
    const gateway = await startGateway({
      port: 0,
      hosts: ['127.0.0.1'],
      auth: { mode: 'token', secret: TOKEN },
      journalPath: join(dir, 'journal.sqlite'),
      transport,
      tickIntervalMs: 30_000,
      handshakeTimeoutMs: 15_000,
      healthRefreshMs: 60_000,
      agents: [{ id: 'main', workspace: dir, isDefault: true }],
      logger: createLogger({ level: 'error', write: () => undefined }),
      modules: [() => ({ name: 'holds-the-drain', stop: async () => { stopping(); await held; } })],
    });
    const { client } = await connectClient(`ws://127.0.0.1:${gateway.port}`, {}, TOKEN);
    const stopped = gateway.stop({ reason: 'gateway stopping' });
    expect((await client.event('shutdown')).payload).toEqual({ reason: 'gateway stopping' });
    await stopStarted;
    const id = client.request('health', {});
    expect(await client.response(id)).toEqual({
      type: 'res', id, ok: false,
      error: { code: 'UNAVAILABLE', message: 'gateway is shutting down', details: { code: 'SHUTTING_DOWN' }, retryable: true },
    });
    release();
    expect(await client.waitClosed()).toEqual({ code: 1012, reason: 'service restart' });
    await stopped;
  });
});
