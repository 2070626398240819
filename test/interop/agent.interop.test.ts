import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { ensureOfficial, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli } from '../helpers/official.js';

/**
 * The official CLI runs agent turns against our gateway (CLI-FRAMES.md #7, #15): `openclaw agent`
 * (agents.list, then agent with expect-final) and `gateway call agent --expect-final`; the turns
 * are in the journal afterwards (`chat.history`). A fresh gateway answers with the offline provider.
 */

const TIMEOUT_MS = 90_000;
let gateway: GatewayProcess;

beforeAll(async () => {
  await ensureOfficial();
  gateway = await startGatewayProcess();
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

const env = () => ({ OPENCLAW_GATEWAY_URL: gateway.url, OPENCLAW_GATEWAY_TOKEN: gateway.token });
const target = () => ['--url', gateway.url, '--token', gateway.token];

interface History {
  sessionKey: string;
  messages: Array<{ role: string; content: Array<{ text: string }> }>;
}

describe('official CLI: agent turns', { timeout: TIMEOUT_MS }, () => {
  it('`openclaw agent --message hi --to <E.164> --json` ends ok with the offline reply', async () => {
    const result = await runOfficialCli(['agent', '--message', 'hi', '--to', '+15555550123', '--json'], env());
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const final = JSON.parse(result.stdout) as { status: string; result: { payloads: Array<{ text: string }>; meta: { agentMeta: { provider: string } } } };
    expect(final.status).toBe('ok');
    expect(final.result.payloads[0]?.text).toContain('received: "hi"');
    expect(final.result.meta.agentMeta.provider).toBe('offline');
  });

  it('`openclaw agent` in text mode prints the reply', async () => {
    const result = await runOfficialCli(['agent', '--message', 'text mode', '--to', '+15555550123'], env());
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('received: "text mode"');
  });

  it('`gateway call agent --expect-final` ends ok, and chat.history holds the turns', async () => {
    const idempotencyKey = randomUUID();
    const params = JSON.stringify({ message: 'hello from gateway call', idempotencyKey, sessionKey: 'main' });
    const result = await runOfficialCli(['gateway', 'call', 'agent', '--expect-final', '--params', params, ...target(), '--json']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ runId: idempotencyKey, status: 'ok', summary: 'completed' });

    const history = await runOfficialCli(['gateway', 'call', 'chat.history', '--params', JSON.stringify({ sessionKey: 'main' }), ...target(), '--json']);
    expect(history.code, history.stderr).toBe(0);
    const parsed = JSON.parse(history.stdout) as History;
    expect(parsed.sessionKey).toBe('agent:main:main');
    const texts = parsed.messages.map((m) => `${m.role}: ${m.content[0]?.text ?? ''}`);
    expect(texts).toEqual(expect.arrayContaining(['user: hi', 'user: text mode', 'user: hello from gateway call']));
    expect(texts.filter((t) => t.startsWith('assistant: '))).toHaveLength(3);
  });
});
