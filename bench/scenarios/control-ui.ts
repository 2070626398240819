/**
 * control-ui: what a person opening the gateway's Control UI waits for, in headless Chromium
 * (playwright-core, Debian's `chromium`). Each target serves its own UI on its port (ours: our UI;
 * the official gateway: the official UI), opened as `http://127.0.0.1:<port>/#token=<token>`.
 *
 *   1. The scenario starts a fake OpenAI-compatible model on 127.0.0.1 (test/helpers/fake-providers)
 *      and writes it into the target's config as the default model (both gateways apply it by
 *      hot reload: ours restarts in process, the official applies `models`/`agents` live), then
 *      sends turns until the fake answers one (this also warms up a slow first model call).
 *   2. It seeds the main session with `HISTORY_TURNS` turns through `chat.send`.
 *   3. `LOADS` times, in a fresh browser profile each (a new device, paired silently on loopback):
 *      page open → the latest reply of the session is in the DOM ("history rendered"); then it
 *      types a message, and Enter → the first streamed chunk of its reply is in the DOM ("first
 *      token"); then it waits for the run's `chat` final before the next load. Every prompt says
 *      "please tag t-…", so the fake's reply starts with its own `reply-t-…` chunk: both waits
 *      look for one exact string, whatever the UI renders around it (or virtualizes away).
 *
 * The times are taken in the page: a script installed before the app's own code watches DOM
 * mutations and, on the animation frame after each, looks for the string in the visible text
 * (screen-reader-only live regions and the composer left out), so a figure is the frame that
 * paints the change, measured from `page.goto` (page open) or the Enter keydown (send).
 * Without Chromium (or playwright-core) the scenario notes it and measures nothing.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startFakeOpenAi, type FakeProvider } from '../../test/helpers/fake-providers.js';
import { connect, type BenchClient, type BenchEvent } from '../client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { sleep, summarize } from '../stats.js';

const CHROMIUM = process.env.OPENCLAW_BENCH_CHROMIUM ?? '/usr/bin/chromium';
const HISTORY_TURNS = 4;
const LOADS = 5;
/** A fresh tag; the fake's reply to "please tag <tag>" starts with `reply-<tag>` as its own first chunk. */
const newTag = (): string => `t-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const prompt = (label: string, tag: string): string => `${label}: please tag ${tag}`;
const replyMark = (tag: string): string => `reply-${tag}`;
const MODEL_DEADLINE_MS = 300_000;
const TURN_TIMEOUT_MS = 180_000;
/** Generous: the official gateway needed ~40 s to prepare a turn on a loaded 2-core host. */
const PAGE_TIMEOUT_MS = 180_000;
const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts', import.meta.url));

/** Text of a `chat` event's message (string content or text blocks). */
function textOf(message: unknown): string {
  if (typeof message !== 'object' || message === null) return '';
  const content = (message as { content?: unknown }).content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block: { text?: unknown }) => (typeof block?.text === 'string' ? block.text : '')).join('');
}

/** One WebSocket client that sends `chat.send` turns to the main session and resolves each on its final. */
class ChatDriver {
  private readonly finals = new Map<string, (text: string | null) => void>();
  private constructor(private readonly client: BenchClient, events: { on: ((e: BenchEvent) => void) | null }) {
    events.on = (event) => {
      if (event.event !== 'chat') return;
      const payload = event.payload as { runId?: string; state?: string; message?: unknown; errorMessage?: string };
      const done = payload.runId === undefined ? undefined : this.finals.get(payload.runId);
      if (!done) return;
      if (payload.state === 'final') done(textOf(payload.message));
      else if (payload.state === 'error' || payload.state === 'aborted') done(`(${payload.state}) ${payload.errorMessage ?? ''}`);
    };
  }

  static async open(ctx: ScenarioContext): Promise<ChatDriver> {
    const events: { on: ((e: BenchEvent) => void) | null } = { on: null };
    const client = await connect({ url: ctx.target.url, token: ctx.target.token, onEvent: (e) => events.on?.(e) });
    return new ChatDriver(client, events);
  }

  get closed(): boolean {
    return this.client.isClosed;
  }

  /** Sends one turn; resolves with the reply text (`(error) …` for a failed run), or null on close or timeout. */
  async turn(message: string, timeoutMs: number): Promise<string | null> {
    const idempotencyKey = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const final = new Promise<string | null>((resolve) => {
      this.finals.set(idempotencyKey, resolve);
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      const ack = (await this.client.request('chat.send', { sessionKey: 'main', message, deliver: false, idempotencyKey })) as { runId?: string } | undefined;
      if (ack?.runId !== undefined && ack.runId !== idempotencyKey) {
        this.finals.set(ack.runId, this.finals.get(idempotencyKey) as (text: string | null) => void);
      }
      return await Promise.race([final, this.client.whenClosed().then(() => null)]);
    } finally {
      clearTimeout(timer);
      this.finals.delete(idempotencyKey);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Points the target's default model at the fake (keeping the rest of its config). */
function useFakeModel(configPath: string, fake: FakeProvider): void {
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch {
    config = {};
  }
  const models = config.models as { providers?: Record<string, unknown> } | undefined;
  const agents = config.agents as { defaults?: Record<string, unknown> } | undefined;
  // The official provider form; ours reads it too (README "Providers").
  const provider = {
    baseUrl: fake.baseUrl, apiKey: 'sk-bench-fake', api: 'openai-completions',
    models: [{ id: 'm', name: 'Fake M', reasoning: false, input: ['text'], contextWindow: 128000, maxTokens: 4096 }],
  };
  writeFileSync(configPath, `${JSON.stringify({
    ...config,
    models: { ...models, providers: { ...models?.providers, benchfake: provider } },
    agents: { ...agents, defaults: { ...agents?.defaults, model: { primary: 'benchfake/m' } } },
  }, null, 2)}\n`);
}

/** Sends turns (reconnecting across an in-process restart) until the fake model answers one. */
async function waitForFakeModel(ctx: ScenarioContext): Promise<ChatDriver> {
  const deadline = performance.now() + MODEL_DEADLINE_MS;
  let last = 'no attempt';
  let driver: ChatDriver | undefined;
  while (performance.now() < deadline) {
    try {
      if (!driver || driver.closed) driver = await ChatDriver.open(ctx);
      const tag = newTag();
      const reply = await driver.turn(prompt('bench warm-up', tag), Math.max(1, Math.min(TURN_TIMEOUT_MS, deadline - performance.now())));
      if (reply?.includes(replyMark(tag))) return driver;
      last = reply === null ? 'no final' : `reply not from the fake: ${reply.slice(0, 80)}`;
      ctx.log(`control-ui: warm-up turn: ${last}`);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(500); // the config watcher has not applied the change yet, or the gateway is restarting
  }
  await driver?.close();
  throw new Error(`the fake model never answered (${last})`);
}

/**
 * In the page, before the app (plain JS: this project compiles without DOM types): when `history`
 * (the latest reply already in the session) and then `token` (the first chunk of the reply to the
 * message this load sends) are first in the visible text, timed on the animation frame after the
 * DOM change (epoch ms).
 */
const pageProbe = (history: string, token: string): string => `(() => {
  const history = ${JSON.stringify(history)}, token = ${JSON.stringify(token)};
  const probe = window.__bench = {};
  const skip = (node) => { const parent = node.parentElement; return !parent || parent.closest('script, style, template, textarea, .sr-only'); };
  const visibleText = () => {
    let text = '';
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT,
      { acceptNode: (node) => (skip(node) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT) });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) text += node.nodeValue + '\\n';
    return text;
  };
  const epoch = () => performance.timeOrigin + performance.now();
  let scheduled = false;
  const check = () => {
    scheduled = false;
    if (probe.historyAt !== undefined && (probe.sentAt === undefined || probe.tokenAt !== undefined)) return;
    const text = visibleText();
    if (probe.historyAt === undefined && text.includes(history)) probe.historyAt = epoch();
    if (probe.sentAt !== undefined && probe.tokenAt === undefined && text.includes(token)) probe.tokenAt = epoch();
  };
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(check);
  }).observe(document, { childList: true, subtree: true, characterData: true });
  // Enter in the composer sends: note when.
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && probe.sentAt === undefined && probe.historyAt !== undefined) probe.sentAt = epoch();
  }, true);
})();`;

/** True when `promise` settles within `ms` (the timer is cleared either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the page probe records (epoch ms). */
interface Probe {
  historyAt?: number;
  sentAt?: number;
  baseline?: number;
  tokenAt?: number;
}

export async function runControlUi(ctx: ScenarioContext): Promise<Metric[]> {
  const { configPath } = ctx.target;
  if (!configPath) {
    ctx.note('control-ui: target config unknown (not started by the bench); skipped');
    return [];
  }
  if (!existsSync(CHROMIUM)) {
    ctx.note(`control-ui: no Chromium at ${CHROMIUM} (apt-get install chromium); skipped`);
    return [];
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    ctx.note('control-ui: playwright-core is not installed (a dev dependency); skipped');
    return [];
  }
  const fake = await startFakeOpenAi();
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  let driver: ChatDriver | undefined;
  try {
    useFakeModel(configPath, fake);
    driver = await waitForFakeModel(ctx);
    let latest = '';
    for (let i = 1; i <= HISTORY_TURNS; i += 1) {
      latest = newTag();
      const reply = await driver.turn(prompt(`bench history ${i}`, latest), TURN_TIMEOUT_MS);
      if (!reply?.includes(replyMark(latest))) throw new Error(`seeding turn ${i} got no reply from the fake`);
    }
    const page0 = new URL(ctx.target.url.replace(/^ws/, 'http'));
    const url = `${page0.origin}/#token=${encodeURIComponent(ctx.target.token)}`;
    const history: number[] = [];
    const firstToken: number[] = [];
    for (let load = 1; load <= LOADS; load += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        const tag = newTag();
        await page.addInitScript({ content: pageProbe(replyMark(latest), replyMark(tag)) });
        const message = prompt(`bench load ${load}`, tag);
        // The run the page starts: its chat.send idempotency key (= runId), then that run's final.
        const sent = new Set<string>();
        let finalSeen!: () => void;
        const final = new Promise<void>((resolve) => (finalSeen = resolve));
        page.on('websocket', (ws) => {
          ws.on('framesent', ({ payload }) => {
            const text = String(payload);
            if (!text.includes('"chat.send"')) return;
            const key = (JSON.parse(text) as { params?: { idempotencyKey?: string } }).params?.idempotencyKey;
            if (key) sent.add(key);
          });
          ws.on('framereceived', ({ payload }) => {
            const text = String(payload);
            if (!text.includes('"state":"final"')) return;
            const frame = JSON.parse(text) as { event?: string; payload?: { runId?: string } };
            if (frame.event === 'chat' && sent.has(frame.payload?.runId ?? '')) finalSeen();
          });
        });
        const openedAt = Date.now();
        await page.goto(url, { waitUntil: 'commit' });
        await page.waitForFunction(() => (globalThis as unknown as { __bench?: Probe }).__bench?.historyAt !== undefined, undefined, { timeout: PAGE_TIMEOUT_MS });
        const composer = page.getByRole('textbox', { name: 'Chat composer' }).or(page.getByRole('textbox', { name: 'Message', exact: true }));
        await composer.click({ timeout: PAGE_TIMEOUT_MS });
        await page.keyboard.type(message);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => (globalThis as unknown as { __bench?: Probe }).__bench?.tokenAt !== undefined, undefined, { timeout: PAGE_TIMEOUT_MS });
        const probe = await page.evaluate(() => (globalThis as unknown as { __bench: Required<Probe> }).__bench);
        history.push(probe.historyAt - openedAt);
        firstToken.push(probe.tokenAt - probe.sentAt);
        latest = tag;
        if (!(await settlesWithin(final, TURN_TIMEOUT_MS))) ctx.note(`control-ui: load ${load}: no chat final within ${TURN_TIMEOUT_MS / 1000} s`);
        if (load === LOADS) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: join(SCREENSHOTS, `bench-control-ui-${ctx.target.name}.png`) });
        }
      } catch (error) {
        // What the page showed when it failed, for the person reading the report.
        const page = context.pages()[0];
        if (page) {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: join(SCREENSHOTS, `bench-control-ui-${ctx.target.name}-failed.png`) }).catch(() => undefined);
        }
        throw error;
      } finally {
        await context.close();
      }
    }
    const h = summarize(history);
    const t = summarize(firstToken);
    ctx.log(`control-ui: history ${history.map((v) => v.toFixed(0)).join(', ')} ms; first token ${firstToken.map((v) => v.toFixed(0)).join(', ')} ms`);
    return [
      metric('control-ui.loads', `Control UI page loads (${HISTORY_TURNS} turns of history)`, '', LOADS, 'none'),
      metric('control-ui.history.p50', 'page open → chat history rendered, median', 'ms', h.p50, 'lower'),
      metric('control-ui.history.max', 'page open → chat history rendered, max', 'ms', h.max, 'lower'),
      metric('control-ui.first-token.p50', 'send → first streamed token rendered, median', 'ms', t.p50, 'lower'),
      metric('control-ui.first-token.max', 'send → first streamed token rendered, max', 'ms', t.max, 'lower'),
    ];
  } finally {
    await driver?.close();
    await browser.close();
    await fake.close();
  }
}
