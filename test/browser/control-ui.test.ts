import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { launchBrowser, officialControlUiScript, recordFrames, shot, startOfficialUi } from '../helpers/browser.js';
import { ensureOfficial, OFFICIAL_HOOK_TIMEOUT_MS } from '../helpers/official.js';
import { connectClient } from '../helpers/raw-client.js';

/*
 * The Control UI in a real browser (Debian's Chromium, headless, loopback): our UI served by the
 * gateway, then the official Control UI (its bundle served by shared/tools/official-control-ui.mjs,
 * its WebSocket piped to our gateway). One browser for the whole file; screenshots of every page
 * go to test-artifacts/.
 */

const TOKEN = 'browser-test-token-0123456789';
const WAIT = { timeout: 15_000 };

let browser: Browser;
let gateway: GatewayProcess;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'openclaw-ui-'));
  // The offline provider with a pause per chunk: a long reply streams for seconds (Stop has a run to stop).
  writeFileSync(
    join(stateDir, 'openclaw.json'),
    JSON.stringify({ gateway: { mode: 'local', auth: { token: TOKEN } }, models: { providers: { offline: { kind: 'offline', delayMs: 40 } } } }),
  );
  [browser, gateway] = await Promise.all([launchBrowser({ hostMap: ['evil.example'] }), startGatewayProcess({ stateDir, token: TOKEN, env: { OPENCLAW_SKIP_CANVAS_HOST: '1' } })]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${gateway.port}`;

async function openUi(context: BrowserContext, path = '/'): Promise<{ page: Page; frames: ReturnType<typeof recordFrames>; errors: string[] }> {
  const page = await context.newPage();
  const frames = recordFrames(page);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${base()}${path}#token=${TOKEN}`);
  await page.getByTestId('connection-phase').filter({ hasText: 'connected' }).waitFor(WAIT);
  return { page, frames, errors };
}

const chatEvents = (frames: ReturnType<typeof recordFrames>, runId?: string) =>
  frames.filter((f) => f.dir === 'in' && f.frame.type === 'event' && f.frame.event === 'chat' && (!runId || f.frame.payload.runId === runId));

const sentRunIds = (frames: ReturnType<typeof recordFrames>) =>
  frames.filter((f) => f.dir === 'out' && f.frame.method === 'chat.send').map((f) => f.frame.params.idempotencyKey as string);

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** In the page: a bare `connect` as openclaw-control-ui (token, no device); the response and the close code. */
const rawConnect = ({ url, token }: { url: string; token: string }) =>
  new Promise<{ response: any; close: number }>((resolve) => {
    const ws = new WebSocket(url);
    let response: any = null;
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data));
      if (frame.event === 'connect.challenge') {
        const client = { id: 'openclaw-control-ui', version: '1', platform: 'web', mode: 'webchat' };
        ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { minProtocol: 3, maxProtocol: 4, client, role: 'operator', scopes: ['operator.admin'], auth: { token } } }));
      } else if (frame.type === 'res') response = frame;
    };
    ws.onclose = (close) => resolve({ response, close: close.code });
  });

describe('our Control UI', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => context?.close());

  it('serves index.html on / and app routes (HTML only), with the security headers and a hashed CSP', async () => {
    const index = await fetch(`${base()}/chat/main`, { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    const html = await index.text();
    expect(html).toContain('data-openclaw-control-ui-base-path=""');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${base()}/chat`, { headers: { accept: 'application/json' } })).status).toBe(404);
    expect((await fetch(`${base()}/chat`)).status).toBe(404); // fetch's `*/*`: not a browser navigation
    expect((await fetch(`${base()}/`)).status).toBe(200);
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const script = await fetch(`${base()}${asset}`);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base()}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base()}/control-ui-config.json`)).status).toBe(401);
    const config = await fetch(`${base()}/control-ui-config.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await config.json()).toMatchObject({ basePath: '', assistantAgentId: 'main' });
  });

  it('loads with the #token (kept in sessionStorage, gone from the URL) and a message gets a streamed reply', async () => {
    const { page, frames, errors } = await openUi(context);
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => Object.keys(sessionStorage).some((k) => k.startsWith('openclaw.control.token.v1:')))).toBe(true);
    // The WebCrypto device proof verified: a loopback device is paired silently and gets its token.
    const hello = frames.find((f) => f.dir === 'in' && f.frame.payload?.type === 'hello-ok')?.frame.payload;
    expect(hello.auth.deviceToken).toEqual(expect.any(String));
    await page.getByTestId('messages').and(page.locator('[data-loaded="true"]')).waitFor(WAIT);
    await send(page, 'hello from chromium');
    await page.getByTestId('msg-assistant').filter({ hasText: 'hello from chromium' }).waitFor(WAIT);
    const [runId] = sentRunIds(frames);
    const events = chatEvents(frames, runId).map((f) => f.frame.payload.state as string);
    expect(events.filter((s) => s === 'delta').length).toBeGreaterThan(1);
    expect(events.at(-1)).toBe('final');
    expect(await page.getByTestId('msg-user').count()).toBe(1);
    expect(await page.getByTestId('msg-assistant').count()).toBe(1);
    await shot(page, 'ours-chat');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the run tool calls and stops a run with Stop', async () => {
    const { page, frames } = await openUi(context);
    await send(page, '/tool presence_roster');
    await page.getByTestId('tool-call').filter({ hasText: 'presence_roster' }).waitFor(WAIT);
    await page.getByTestId('msg-assistant').filter({ hasText: 'Tool results' }).waitFor(WAIT);
    await send(page, `please repeat ${'many words '.repeat(150)}`);
    await page.getByTestId('msg-live').filter({ hasText: 'please repeat' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-testid="msg-live"][data-state="aborted"]').waitFor(WAIT);
    const runId = sentRunIds(frames).at(-1);
    expect(chatEvents(frames, runId).map((f) => f.frame.payload.state)).toContain('aborted');
    expect(frames.some((f) => f.dir === 'out' && f.frame.method === 'chat.abort' && f.frame.params.runId === runId)).toBe(true);
    await shot(page, 'ours-chat-tools-and-abort');
    await page.close();
  });

  it('catches up after a reconnect without losing or doubling a message', async () => {
    const { page, frames } = await openUi(context);
    await page.getByTestId('messages').and(page.locator('[data-loaded="true"]')).waitFor(WAIT);
    const usersBefore = await page.getByTestId('msg-user').count();
    const assistantsBefore = await page.getByTestId('msg-assistant').count();
    await send(page, `reconnect check ${'word '.repeat(60)}`);
    await page.getByTestId('msg-live').filter({ hasText: 'reconnect check' }).waitFor(WAIT);
    // The socket drops mid-run; the run finishes meanwhile; the UI reconnects and reads the delta.
    await page.evaluate(() => (window as unknown as { openclawGateway: { drop(): void } }).openclawGateway.drop());
    await page.getByTestId('msg-assistant').filter({ hasText: 'reconnect check' }).waitFor(WAIT);
    await page.getByTestId('connection-phase').filter({ hasText: 'connected' }).waitFor(WAIT);
    expect(frames.filter((f) => f.dir === 'out' && f.frame.method === 'connect').length).toBe(2);
    expect(frames.some((f) => f.dir === 'out' && f.frame.method === 'chat.history' && f.frame.params.cursor !== undefined)).toBe(true);
    expect(await page.getByTestId('msg-user').count()).toBe(usersBefore + 1);
    expect(await page.getByTestId('msg-assistant').count()).toBe(assistantsBefore + 1);
    expect(await page.getByTestId('msg-live').count()).toBe(0);
    // A fresh load shows the same transcript.
    const texts = await page.locator('[data-testid^="msg-"]').allInnerTexts();
    await page.reload();
    await page.getByTestId('messages').and(page.locator('[data-loaded="true"]')).waitFor(WAIT);
    expect(await page.locator('[data-testid^="msg-"]').allInnerTexts()).toEqual(texts);
    await page.close();
  });

  it('overview shows health, status and the presence roster, live from presence events', async () => {
    const { page } = await openUi(context, '/overview');
    await page.getByTestId('status-card').filter({ hasText: 'uws' }).or(page.getByTestId('status-card').filter({ hasText: 'ws' })).first().waitFor(WAIT);
    await page.getByTestId('health-card').filter({ hasText: 'ok' }).waitFor(WAIT);
    const before = await page.getByTestId('presence-row').count();
    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(`${base()}/#token=${TOKEN}`);
    await expect.poll(() => page.getByTestId('presence-row').count(), WAIT).toBeGreaterThan(before);
    await shot(page, 'ours-overview');
    await other.close();
    await page.close();
  });

  it('inspector lists a connection actor, streams its transitions and draws its statechart', async () => {
    const { page } = await openUi(context, '/inspector');
    await page.locator('[data-testid="actor-row"][data-actor^="conn:"]').first().waitFor(WAIT);
    // Another socket connecting and closing shows as transitions while the page watches.
    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(`${base()}/#token=${TOKEN}`);
    await second.getByTestId('connection-phase').filter({ hasText: 'connected' }).waitFor(WAIT);
    await other.close();
    await page.getByTestId('transition').filter({ hasText: /conn:.* → (ready|admitting|closed)/ }).first().waitFor(WAIT);
    await page.locator('[data-testid="statechart"][data-machine="connection"]').waitFor(WAIT);
    await page.locator('[data-testid="chart-state"][data-state="ready"][data-active="true"]').waitFor(WAIT);
    await shot(page, 'ours-inspector');
    await page.close();
  });

  it('logs page follows logs.tail and filters by level', async () => {
    const { page } = await openUi(context, '/logs');
    await expect.poll(() => page.getByTestId('log-line').count(), WAIT).toBeGreaterThan(0);
    const all = await page.getByTestId('log-line').count();
    await shot(page, 'ours-logs');
    await page.getByRole('combobox', { name: 'Minimum level' }).selectOption('error');
    await expect.poll(() => page.getByTestId('log-line').count(), WAIT).toBeLessThan(all);
    await page.close();
  });

  it('a Control UI client without a device proof is refused, even from the gateway page', async () => {
    const { page } = await openUi(context);
    const outcome = await page.evaluate(rawConnect, { url: `ws://127.0.0.1:${gateway.port}/`, token: TOKEN });
    expect(outcome.close).toBe(1008);
    expect(outcome.response).toMatchObject({ ok: false, error: { details: { code: 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED' } } });
    await page.close();
  });

  it('a page from a foreign Origin cannot open an operator session', async () => {
    // A real site on another host name (mapped to 127.0.0.1, so Chromium's local-network rules stay out of it).
    const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>evil</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const page = await context.newPage();
    await page.goto(`http://evil.example:${(site.address() as AddressInfo).port}/`);
    const outcome = await page.evaluate(rawConnect, { url: `ws://127.0.0.1:${gateway.port}/`, token: TOKEN });
    expect(outcome.close).toBe(1008);
    expect(outcome.response).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', reason: 'origin not allowed' } } });
    await page.close();
    site.close();
  });
});

describe('the official Control UI against our gateway', () => {
  const script = officialControlUiScript();
  let context: BrowserContext;
  let ui: { stop(): Promise<void> } | undefined;
  let uiPort: number;

  beforeAll(async () => {
    if (!script) return;
    await ensureOfficial();
    uiPort = await freePort();
    ui = await startOfficialUi(script, uiPort, gateway.port);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  }, OFFICIAL_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await context?.close();
    await ui?.stop();
  });

  const unknownMethods = (frames: ReturnType<typeof recordFrames>) =>
    frames.filter((f) => f.dir === 'in' && f.frame.type === 'res' && !f.frame.ok && /unknown method/.test(f.frame.error?.message ?? '')).map((f) => f.frame.error.message as string);

  /** Visible text, without the log viewer (it shows gateway log lines, which may mention anything). */
  const visibleText = (page: Page) =>
    page.evaluate(() => {
      let text = document.body.innerText;
      for (const node of document.querySelectorAll<HTMLElement>('.log-stream, .sr-only')) text = text.replace(node.innerText, '');
      return text;
    });

  it.skipIf(!script)('connects (hello-ok) and a chat message gets its reply, with no unknown method anywhere', async () => {
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(`http://127.0.0.1:${uiPort}/#token=${TOKEN}`);
    await expect.poll(() => frames.some((f) => f.dir === 'in' && f.frame.type === 'res' && f.frame.payload?.type === 'hello-ok'), { timeout: 30_000 }).toBe(true);
    const composer = page.getByRole('textbox', { name: 'Chat composer' });
    await composer.waitFor({ timeout: 30_000 });
    await composer.click();
    await page.keyboard.type('Hello from the official UI');
    await page.keyboard.press('Enter');
    await expect.poll(() => frames.some((f) => f.dir === 'in' && f.frame.event === 'chat' && f.frame.payload.state === 'final'), { timeout: 30_000 }).toBe(true);
    await page.getByText('received: "Hello from the official UI"').first().waitFor(WAIT);
    // The user's message shows once and stays (the send identity reconciled it).
    await expect.poll(async () => (await visibleText(page)).split('Hello from the official UI').length - 1, WAIT).toBeGreaterThanOrEqual(1);
    await shot(page, 'official-chat');
    expect(unknownMethods(frames)).toEqual([]);
    expect(await visibleText(page)).not.toMatch(/unknown method/i);
    await page.close();
  }, 90_000);

  it.skipIf(!script)('the Sessions sidebar lists a session started elsewhere (sessions.list rows in the shape the UI checks)', async () => {
    // A second session, started over the protocol (the sidebar leaves out the current one: Home).
    const { client } = await connectClient(gateway.url, {}, TOKEN);
    const key = 'agent:main:sidebar-check';
    const sent = await client.call('chat.send', { sessionKey: key, message: 'hello from another session', idempotencyKey: 'sidebar-check-1' });
    expect(sent.ok).toBe(true);
    await client.seen((f) => f.type === 'event' && f.event === 'chat' && (f.payload as { sessionKey?: string; state?: string }).sessionKey === key && (f.payload as { state?: string }).state === 'final', 15_000);
    client.close();
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(`http://127.0.0.1:${uiPort}/#token=${TOKEN}`);
    await page.getByText('SESSIONS').or(page.getByText('Sessions', { exact: true })).first().waitFor({ timeout: 30_000 });
    await page.getByText('sidebar-check', { exact: true }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'official-sidebar');
    // It opens that session's transcript.
    await page.getByText('sidebar-check', { exact: true }).first().click();
    await page.getByText('hello from another session').first().waitFor(WAIT);
    // Rows carry no nulls (the UI's row schema has optional strings) and a run status from its enum.
    const list = frames.find((f) => f.dir === 'in' && f.frame.type === 'res' && Array.isArray(f.frame.payload?.sessions))?.frame.payload;
    const row = list.sessions.find((r: { key: string }) => r.key === key);
    expect(row).toMatchObject({ key, agentId: 'main', kind: 'direct', status: 'done', lastMessagePreview: expect.any(String) });
    for (const r of list.sessions) expect(Object.entries(r).filter(([, v]) => v === null)).toEqual([]);
    expect(unknownMethods(frames)).toEqual([]);
    await page.close();
  }, 90_000);

  it.skipIf(!script)('Debug, Systems, Devices and Logs render without errors or unknown methods', async () => {
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(`http://127.0.0.1:${uiPort}/#token=${TOKEN}`);
    await page.getByRole('textbox', { name: 'Chat composer' }).waitFor({ timeout: 30_000 });
    const pages = [
      ['/debug', 'debug', 'Last heartbeat'],
      ['/systems', 'systems', 'Gateway host'],
      ['/settings/devices', 'devices', 'Devices'],
      ['/logs', 'logs', 'Logs'],
    ] as const;
    for (const [route, name, marker] of pages) {
      await page.evaluate((path) => {
        history.pushState(null, '', path);
        dispatchEvent(new PopStateEvent('popstate'));
      }, route);
      await expect.poll(async () => {
        const text = await visibleText(page);
        return text.includes(marker) && !/Loading/.test(text);
      }, { timeout: 30_000 }).toBe(true);
      await page.waitForLoadState('networkidle');
      await shot(page, `official-${name}`);
      const text = await visibleText(page);
      expect(text, route).not.toMatch(/unknown method/i);
      if (route === '/debug') expect(text).not.toMatch(/Failed:/);
      if (route === '/logs') expect(await page.locator('.log-stream').first().innerText()).toMatch(/listening on ws:\/\//);
    }
    expect(unknownMethods(frames)).toEqual([]);
    await page.close();
  }, 120_000);
});
