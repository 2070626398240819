import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type Frame, type RawClient } from '../helpers/raw-client.js';

/** Runs across gateway stops: a graceful stop aborts them (`shutdown`), a crash fails them at the next start. */

const started: GatewayProcess[] = [];
const clients: RawClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of started.splice(0)) await g.stop('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-agent-restart-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'openclaw.json'), JSON.stringify({
    gateway: { mode: 'local' },
    models: { providers: { slow: { kind: 'offline', delayMs: 300 } } },
    agents: { defaults: { model: 'slow/echo-1' } },
  }));
  return dir;
}

async function start(dir: string): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ stateDir: dir });
  started.push(gateway);
  return gateway;
}

async function client(gateway: GatewayProcess): Promise<RawClient> {
  const { client: c } = await connectClient(gateway.url, {}, gateway.token);
  clients.push(c);
  return c;
}

const isDelta = (runId: string) => (f: Frame) => f.event === 'agent' && (f.payload as { runId?: string; stream?: string }).runId === runId && (f.payload as { stream?: string }).stream === 'assistant';

describe('agent runs across gateway stops', () => {
  it('a graceful stop aborts running runs (stopReason shutdown) and answers their finals before closing', async () => {
    const gateway = await start(stateDir());
    const c = await client(gateway);
    const runId = randomUUID();
    const id = c.request('agent', { message: 'a message that takes a while to answer', idempotencyKey: runId });
    await c.response(id);
    await c.seen(isDelta(runId));
    const stopped = gateway.stop('SIGTERM');
    const final = await c.response(id);
    expect(final).toMatchObject({ ok: true, payload: { runId, status: 'timeout', summary: 'aborted', stopReason: 'shutdown' } });
    expect(await stopped).toMatchObject({ code: 0 });
  });

  it('a run cut off by a crash is failed as RUN_INTERRUPTED at the next start, and a retry gets that final', async () => {
    const dir = stateDir();
    const first = await start(dir);
    const c = await client(first);
    const runId = randomUUID();
    const id = c.request('agent', { message: 'a message that takes a while to answer', idempotencyKey: runId });
    await c.response(id);
    await c.seen(isDelta(runId));
    await first.stop('SIGKILL');
    const second = await start(dir);
    const retry = await (await client(second)).call('agent', { message: 'a message that takes a while to answer', idempotencyKey: runId });
    expect(retry).toMatchObject({
      ok: false,
      payload: { runId, status: 'error', summary: 'the gateway stopped during the run' },
      error: { code: 'UNAVAILABLE', message: 'the gateway stopped during the run', details: { code: 'RUN_INTERRUPTED' } },
    });
  });
});
