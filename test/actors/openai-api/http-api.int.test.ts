import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../actors/gateway/system.js';
import { httpApiModule } from '../../../actors/openai-api/module.js';
import { createLogger } from '../../../actors/logs/logger.js';
import { loadUws } from '../../../actors/transport/uws.js';
import { FakeRunService } from '../../helpers/fake-run-service.js';

const TOKEN = 'int-token-0123456789';
const transports = (['ws', 'uws'] as const).filter((kind) => kind === 'ws' || loadUws() !== undefined);

describe.each(transports)('HTTP API on a real %s transport', (transport) => {
  let gateway: RunningGateway;
  let dir: string;
  const runs = new FakeRunService({ defaultId: 'main', ids: ['main'] });
  let client: OpenAI;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-http-'));
    gateway = await startGateway({
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
      modules: [
        httpApiModule({
          endpoints: () => ({ chatCompletions: true, responses: true }),
          runs: () => runs,
        }),
      ],
    });
    client = new OpenAI({ apiKey: TOKEN, baseURL: `http://127.0.0.1:${gateway.port}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway.stop({ reason: 'test done' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a chat completion through the official client', async () => {
    runs.script = [{ deltas: ['one ', 'two ', 'three'] }];
    const stream = await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'count' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three');
  });

  it('streams a response through the official client', async () => {
    runs.script = [{ deltas: ['al', 'pha'] }];
    const stream = client.responses.stream({ model: 'openclaw', input: 'go' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('alpha');
  });

  it('lets a run finish after the client aborts mid-stream', async () => {
    let release: () => void = () => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    runs.script = [{ deltas: ['first,', 'second,', 'third'], hold }];
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'long' }], stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('first,')) seen += new TextDecoder().decode((await reader.read()).value);
    const runId = [...runs.runs.keys()].at(-1)!;
    expect(runs.listenerCount(runId)).toBe(1);
    controller.abort();
    // The gateway notices the disconnect and drops its subscription while the run is still going…
    await expect.poll(() => runs.listenerCount(runId), { timeout: 5000 }).toBe(0);
    release();
    // …which then finishes on its own.
    expect(await runs.settled(runId)).toMatchObject({ status: 'ok', text: 'first,second,third' });
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
  });
});
