import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient } from '../helpers/raw-client.js';
import { runCli, spawnCli } from '../helpers/cli-process.js';

/** `openclaw agent` against a real gateway whose offline provider streams slowly. */

let gateway: GatewayProcess;

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-agent-cli-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({
    gateway: { mode: 'local' },
    models: { providers: { slow: { kind: 'offline', delayMs: 60 }, slower: { kind: 'offline', delayMs: 400 } } },
    agents: { defaults: { model: 'slow/echo-1' }, list: [{ id: 'main', default: true }, { id: 'sloth', model: 'slower/echo-1' }] },
  }));
  gateway = await startGatewayProcess({ stateDir });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

const target = () => ['--url', gateway.url, '--token', gateway.token];

async function history(sessionKey: string): Promise<Array<{ role: string; stopReason?: string; content: Array<{ text: string }> }>> {
  const { client } = await connectClient(gateway.url, {}, gateway.token);
  try {
    const res = await client.call('chat.history', { sessionKey });
    return (res.payload as { messages: Array<{ role: string; stopReason?: string; content: Array<{ text: string }> }> }).messages;
  } finally {
    client.close();
  }
}

describe('openclaw agent', () => {
  it('prints the streamed reply and exits 0', async () => {
    const result = await runCli(['agent', '--message', 'hello cli', '--session-key', 'cli-text', ...target()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Offline model (no provider configured) received: "hello cli". Configure models.providers to get real answers.\n');
    expect((await history('cli-text')).map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('prints the final payload with --json', async () => {
    const result = await runCli(['agent', '--message', 'json please', '--to', '+15555550123', '--json', ...target()]);
    expect(result.code).toBe(0);
    const payload = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(payload).toMatchObject({ status: 'ok', summary: 'completed', result: { meta: { agentMeta: { provider: 'slow', model: 'echo-1' } } } });
  });

  it('streams: text is on stdout before the run ends', async () => {
    const child = spawnCli(['agent', '--message', 'a long enough message to stream in chunks', '--agent', 'sloth', '--session-key', 'agent:sloth:stream', ...target()]);
    await child.waitForOutput(/Offline model/, 15_000);
    expect(child.child.exitCode).toBeNull();
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.output()).toContain('Configure models.providers to get real answers.');
  });

  it('sends chat.abort on Ctrl-C and exits 130; the run ends aborted with its partial reply', async () => {
    const child = spawnCli(['agent', '--message', 'interrupt me while you are talking', '--agent', 'sloth', '--session-key', 'agent:sloth:ctrlc', ...target()]);
    await child.waitForOutput(/Offline/, 15_000);
    child.child.kill('SIGINT');
    const { code } = await child.exited;
    expect(code).toBe(130);
    expect(child.stderr()).toMatch(/aborted/);
    const messages = await history('agent:sloth:ctrlc');
    expect(messages.map((m) => [m.role, m.stopReason])).toEqual([['user', undefined], ['assistant', 'rpc']]);
  });

  it('fails with exit 1 and the gateway message for an unknown agent', async () => {
    const result = await runCli(['agent', '--message', 'x', '--agent', 'nobody', ...target()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown agent id: nobody');
  });
});
