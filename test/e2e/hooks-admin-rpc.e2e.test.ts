/**
 * Inbound hooks and the admin HTTP RPC (issue 11, items 3 and 4): both off by default (plain 404,
 * as the official gateway), both refuse without their token and work with it; hook requests are
 * journaled and `/hooks/agent` is idempotent by key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { jsonLines, runCli, spawnCli, type Daemon } from '../helpers/cli-process.js';

const TOKEN = 'gateway-token-0123456789';
const HOOK_TOKEN = 'hook-token-abcdefghijkl';

interface Gateway {
  readonly daemon: Daemon;
  readonly base: string;
  readonly stateDir: string;
}

async function start(extra: Record<string, unknown>): Promise<Gateway> {
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-hooks-'));
  const port = await freePort();
  const config = { gateway: { mode: 'local', port, auth: { mode: 'token', token: TOKEN } }, ...extra };
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  const daemon = spawnCli(['gateway'], { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(stateDir, 'openclaw.json') });
  await daemon.waitForOutput(/listening on ws:\/\//);
  return { daemon, base: `http://127.0.0.1:${port}`, stateDir };
}

async function stop(gateway: Gateway | undefined): Promise<void> {
  if (!gateway) return;
  await gateway.daemon.stop('SIGKILL');
  rmSync(gateway.stateDir, { recursive: true, force: true });
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('off by default', () => {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await start({});
  });
  afterAll(() => stop(gateway));

  it('answers a plain 404 on /hooks/* and /api/v1/admin/rpc, even with the right token', async () => {
    for (const [path, token] of [['/hooks/wake', HOOK_TOKEN], ['/hooks/agent', HOOK_TOKEN], ['/api/v1/admin/rpc', TOKEN]] as const) {
      const res = await post(`${gateway!.base}${path}`, { text: 'x', message: 'x', method: 'health' }, { authorization: `Bearer ${token}` });
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe('Not Found');
    }
  });
});

describe('hooks', () => {
  let gateway: Gateway | undefined;
  const hooks = (path: string) => `${gateway!.base}/hooks${path}`;
  const auth = { authorization: `Bearer ${HOOK_TOKEN}` };
  beforeAll(async () => {
    gateway = await start({ hooks: { enabled: true, token: HOOK_TOKEN, mappings: [{ id: 'alerts', match: { path: 'alerts' }, action: 'wake', textTemplate: 'alert: {{title}}' }] } });
  });
  afterAll(() => stop(gateway));

  it('refuses without the token (401), with a query token (400) and other methods (405)', async () => {
    const none = await post(hooks('/wake'), { text: 'hi' });
    expect(none.status).toBe(401);
    expect(await none.text()).toBe('Unauthorized');
    const wrong = await post(hooks('/wake'), { text: 'hi' }, { 'x-openclaw-token': 'nope' });
    expect(wrong.status).toBe(401);
    const gatewayToken = await post(hooks('/wake'), { text: 'hi' }, { authorization: `Bearer ${TOKEN}` });
    expect(gatewayToken.status).toBe(401);
    const query = await post(`${hooks('/wake')}?token=${HOOK_TOKEN}`, { text: 'hi' }, auth);
    expect(query.status).toBe(400);
    expect(await query.text()).toMatch(/query parameters are not allowed/);
    const get = await fetch(hooks('/wake'), { headers: auth });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('wake: queues the text (then coalesces the same wake), and says what is missing', async () => {
    const first = await post(hooks('/wake'), { text: 'disk almost full' }, auth);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, mode: 'now', eventOutcome: 'queued' });
    const again = await post(hooks('/wake'), { text: 'disk almost full' }, { 'x-openclaw-token': HOOK_TOKEN });
    expect(await again.json()).toEqual({ ok: true, mode: 'now', eventOutcome: 'coalesced' });
    const missing = await post(hooks('/wake'), {}, auth);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ ok: false, error: 'text required' });
    const key = await post(hooks('/wake'), { text: 'x', sessionKey: 'mine' }, auth);
    expect(await key.json()).toEqual({ ok: false, error: 'sessionKey is disabled for externally supplied hook payload values; set hooks.allowRequestSessionKey=true to enable' });
  });

  it('agent: admits a run and answers its runId; the same idempotency key replays the same run', async () => {
    const first = await post(hooks('/agent'), { message: 'summarise the alert', waitForCompletion: true }, { ...auth, 'idempotency-key': 'alert-42' });
    expect(first.status).toBe(200);
    const body = (await first.json()) as { ok: boolean; runId: string; completion: { status: string } };
    expect(body).toMatchObject({ ok: true, completion: { status: 'ok', replyDisposition: 'visible' } });
    const retry = await post(hooks('/agent'), { message: 'summarise the alert' }, { ...auth, 'idempotency-key': 'alert-42' });
    expect(await retry.json()).toEqual({ ok: true, runId: body.runId });
    const other = (await (await post(hooks('/agent'), { message: 'summarise the alert' }, auth)).json()) as { runId: string };
    expect(other.runId).not.toBe(body.runId);
    const unknown = await post(hooks('/agent'), { message: 'x', agentId: 'ghost' }, auth);
    expect(await unknown.json()).toEqual({ ok: false, error: 'unknown agentId "ghost"' });
    expect(await (await post(hooks('/agent'), {}, auth)).json()).toEqual({ ok: false, error: 'message required' });
  });

  it('routes a mapped path, 404s an unmapped one, and journals every authenticated request', async () => {
    const mapped = await post(hooks('/alerts'), { title: 'cpu hot' }, auth);
    expect(await mapped.json()).toEqual({ ok: true, mode: 'now', eventOutcome: 'queued' });
    const unmapped = await post(hooks('/nothing'), {}, auth);
    expect(unmapped.status).toBe(404);
    const tail = await runCli(['gateway', 'journal', 'tail', '--stream', 'hooks', '--limit', '100'], { env: { OPENCLAW_STATE_DIR: gateway!.stateDir } });
    const facts = jsonLines(tail.stdout).map((f) => f.data as Record<string, unknown>);
    expect(facts.map((f) => [f.path, f.status, f.outcome ?? f.error])).toEqual([
      ['/hooks/wake', 200, 'queued'],
      ['/hooks/wake', 200, 'coalesced'],
      ['/hooks/wake', 400, 'text required'],
      ['/hooks/wake', 400, 'sessionKey is disabled for externally supplied hook payload values; set hooks.allowRequestSessionKey=true to enable'],
      ['/hooks/agent', 200, 'started'],
      ['/hooks/agent', 200, 'completed'],
      ['/hooks/agent', 200, 'started'],
      ['/hooks/agent', 400, 'unknown agentId "ghost"'],
      ['/hooks/agent', 400, 'message required'],
      ['/hooks/alerts', 200, 'queued'],
    ]);
    expect(facts[9]).toMatchObject({ mapping: 'alerts', action: 'wake' });
    expect(facts[4]).toMatchObject({ idempotencyKey: 'alert-42' });
    expect(JSON.stringify(facts)).not.toContain('summarise');
  });

  it('throttles a client after 20 failed attempts in a minute (429 + Retry-After)', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 21; i += 1) last = await post(hooks('/wake'), { text: 'x' }, { authorization: 'Bearer wrong' });
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('admin HTTP RPC', () => {
  let gateway: Gateway | undefined;
  const rpc = () => `${gateway!.base}/api/v1/admin/rpc`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    gateway = await start({ plugins: { entries: { 'admin-http-rpc': { enabled: true } } } });
  });
  afterAll(() => stop(gateway));

  it('refuses without the gateway token (401) and other methods (405)', async () => {
    const none = await post(rpc(), { method: 'health' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { message: 'Unauthorized', type: 'unauthorized' } });
    expect((await post(rpc(), { method: 'health' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    const get = await fetch(rpc(), { headers: auth });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('runs one allowlisted method through the gateway dispatch', async () => {
    const res = await post(rpc(), { id: 'r1', method: 'health', params: {} }, auth);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; ok: boolean; payload: { ok: boolean; defaultAgentId: string } };
    expect(body).toMatchObject({ id: 'r1', ok: true, payload: { ok: true, defaultAgentId: 'main' } });
    const generated = (await (await post(rpc(), { method: 'status' }, auth)).json()) as { id: string; ok: boolean };
    expect(generated.ok).toBe(true);
    expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
    const list = (await (await post(rpc(), { method: 'commands.list' }, auth)).json()) as { payload: { methods: string[] } };
    expect(list.payload.methods).toContain('config.get');
  });

  it('maps errors to HTTP statuses: not allowlisted and bad params are 400, unknown ones too', async () => {
    const blocked = await post(rpc(), { id: 'b', method: 'system-event', params: { text: 'x' } }, auth);
    expect(blocked.status).toBe(400);
    expect(await blocked.json()).toEqual({ id: 'b', ok: false, error: { code: 'INVALID_REQUEST', message: 'admin HTTP RPC method is not supported: system-event' } });
    const bad = await post(rpc(), { id: 'c', method: 'logs.tail', params: { limit: 'many' } }, auth);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error.message).toMatch(/^invalid logs.tail params/);
    const notImplemented = await post(rpc(), { id: 'd', method: 'cron.run' }, auth);
    expect(notImplemented.status).toBe(400);
    expect(await notImplemented.json()).toEqual({ id: 'd', ok: false, error: { code: 'INVALID_REQUEST', message: 'unknown method: cron.run' } });
    const noMethod = await post(rpc(), { params: {} }, auth);
    expect(noMethod.status).toBe(400);
    expect(await noMethod.json()).toEqual({ ok: false, error: { type: 'invalid_request', message: 'method must be a non-empty string' } });
  });
});
