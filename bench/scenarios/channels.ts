/**
 * channels: 100 DMs from 100 senders through a fake Telegram Bot API on 127.0.0.1, in two phases.
 * The scenario adds `channels.telegram` (apiRoot = the fake, dmPolicy open) and `session.dmScope:
 * per-channel-peer` to the target's config file and waits for the hot reload to start long polling.
 *
 *   1. offline: replies from the target's built-in offline provider (ours has one; a target whose
 *      warm-up reply is not an offline-model answer, e.g. the official gateway's "⚠️ Authentication
 *      failed", gets no figures for this phase and a note).
 *   2. model: `models.providers.benchai` (OpenAI-compatible, a fake chat-completions server on
 *      127.0.0.1 that the scenario starts) becomes the default model; the same 100 DMs again, so
 *      every target answers from the same model.
 *
 * Each phase first sends warm-up DMs (one at a time, from other senders) until one is answered by
 * the phase's model, so lazy loading and the config reload are behind it; then it queues every DM
 * at once and times, per sender, queueing → the first `sendMessage` to that chat reaching the fake.
 * A reply counts only if it is the model's answer (not an error text).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startFakeOpenAi } from '../../test/helpers/fake-providers.js';
import { startFakeTelegram, type FakeTelegram } from '../../test/helpers/fake-telegram.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { sleep, summarize } from '../stats.js';

const SENDERS = 100;
const POLL_DEADLINE_MS = 90_000;
const WARMUP_ATTEMPTS = 60;
/** Pause after a warm-up reply from the wrong model: the config reload may not have applied yet. */
const WARMUP_PAUSE_MS = 1000;
const WARMUP_REPLY_MS = 60_000;
const REPLY_DEADLINE_MS = 240_000;

interface Phase {
  readonly id: string;
  readonly label: string;
  /** First sender id of the measured DMs; warm-up senders count down from it. */
  readonly firstSender: number;
  /** True when a reply text is this phase's model answering (not an error). */
  readonly answered: (text: string) => boolean;
  /** True when the phase follows a config change: wrong-model replies are retried until it applies. */
  readonly waitsForReload: boolean;
}

const OFFLINE: Phase = { id: 'channels', label: 'offline provider', firstSender: 90_000, answered: (text) => text.includes('Offline model'), waitsForReload: false };
const MODEL: Phase = { id: 'channels.model', label: 'fake OpenAI model', firstSender: 91_000, answered: (text) => text.includes('Hello from fake openai'), waitsForReload: true };

function readConfig(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function writeConfig(path: string, config: Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
}

const firstReply = (telegram: FakeTelegram, chat: string) => telegram.sent.find((m) => m.chatId === chat);

/** Sends warm-up DMs until one is answered by the phase's model; returns the last reply text seen. */
async function warmUp(telegram: FakeTelegram, phase: Phase): Promise<{ ok: boolean; last: string }> {
  let last = '(no reply)';
  for (let attempt = 1; attempt <= WARMUP_ATTEMPTS; attempt += 1) {
    const chat = String(phase.firstSender - attempt);
    telegram.dm(Number(chat), `warm-up ${attempt}`);
    const replied = await telegram.waitFor(() => firstReply(telegram, chat) !== undefined, WARMUP_REPLY_MS, `warm-up reply ${attempt}`).then(() => true, () => false);
    if (!replied) continue;
    last = firstReply(telegram, chat)?.text ?? last;
    if (phase.answered(last)) return { ok: true, last };
    if (!phase.waitsForReload) break;
    await sleep(WARMUP_PAUSE_MS);
  }
  return { ok: false, last };
}

function nulls(phase: Phase): Metric[] {
  return [
    metric(`${phase.id}.replies`, `Telegram DMs answered (${phase.label}, of ${SENDERS})`, 'count', null, 'higher'),
    metric(`${phase.id}.reply.p50`, `Telegram DM → reply p50 (${phase.label})`, 'ms', null, 'lower'),
    metric(`${phase.id}.reply.p99`, `Telegram DM → reply p99 (${phase.label})`, 'ms', null, 'lower'),
    metric(`${phase.id}.throughput`, `Telegram DMs answered per second (${phase.label})`, 'msgs/s', null, 'higher'),
  ];
}

async function measure(ctx: ScenarioContext, telegram: FakeTelegram, phase: Phase): Promise<Metric[]> {
  const warm = await warmUp(telegram, phase);
  if (!warm.ok) {
    ctx.note(`channels (${phase.label}): not measured, the warm-up reply was ${JSON.stringify(warm.last.slice(0, 120))}`);
    return nulls(phase);
  }
  const queuedAt = new Map<string, number>();
  const repliedAt = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < SENDERS; i += 1) {
    const sender = phase.firstSender + i;
    queuedAt.set(String(sender), performance.now());
    telegram.dm(sender, `bench message ${i}`);
  }
  await telegram.waitFor(
    (calls) => {
      for (const call of calls) {
        if (call.method !== 'sendMessage') continue;
        const chat = String(call.body.chat_id);
        if (queuedAt.has(chat) && !repliedAt.has(chat)) repliedAt.set(chat, call.at);
      }
      return repliedAt.size >= SENDERS;
    },
    REPLY_DEADLINE_MS,
    `${SENDERS} replies`,
  ).catch((error: unknown) => ctx.note(`channels (${phase.label}): ${error instanceof Error ? error.message.split(';')[0] : String(error)}`));
  const wrong = [...repliedAt.keys()].filter((chat) => !phase.answered(firstReply(telegram, chat)?.text ?? ''));
  if (wrong.length > 0) ctx.note(`channels (${phase.label}): ${wrong.length} replies were not model answers, e.g. ${JSON.stringify((firstReply(telegram, wrong[0] ?? '')?.text ?? '').slice(0, 120))}`);
  for (const chat of wrong) repliedAt.delete(chat);
  // call.at is Date.now(); convert the queue times to the same clock.
  const offset = Date.now() - performance.now();
  const latencies = [...repliedAt].map(([chat, at]) => at - ((queuedAt.get(chat) ?? 0) + offset));
  const lastReply = Math.max(...[...repliedAt.values()].map((at) => at - offset), started);
  const stats = summarize(latencies);
  const perSecond = repliedAt.size > 0 ? repliedAt.size / ((lastReply - started) / 1000) : null;
  ctx.log(`channels (${phase.label}): ${repliedAt.size}/${SENDERS} replies, p50 ${stats.p50?.toFixed(0)} ms, p99 ${stats.p99?.toFixed(0)} ms, ${perSecond?.toFixed(1)} msgs/s`);
  return [
    metric(`${phase.id}.replies`, `Telegram DMs answered (${phase.label}, of ${SENDERS})`, 'count', repliedAt.size, 'higher'),
    metric(`${phase.id}.reply.p50`, `Telegram DM → reply p50 (${phase.label})`, 'ms', stats.p50 ?? null, 'lower'),
    metric(`${phase.id}.reply.p99`, `Telegram DM → reply p99 (${phase.label})`, 'ms', stats.p99 ?? null, 'lower'),
    metric(`${phase.id}.throughput`, `Telegram DMs answered per second (${phase.label})`, 'msgs/s', perSecond, 'higher'),
  ];
}

export async function runChannels(ctx: ScenarioContext): Promise<Metric[]> {
  const { configPath } = ctx.target;
  if (!configPath) {
    ctx.note('channels: target config unknown (not started by the bench); skipped');
    return [];
  }
  const telegram = await startFakeTelegram();
  const model = await startFakeOpenAi();
  try {
    const config = readConfig(configPath);
    const channels = { ...(config.channels as Record<string, unknown> | undefined), telegram: { enabled: true, botToken: '123456:BENCH-token', apiRoot: telegram.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } };
    const withChannel = { ...config, channels, session: { ...(config.session as object | undefined), dmScope: 'per-channel-peer' } };
    writeConfig(configPath, withChannel);
    await telegram.waitFor((calls) => calls.some((c) => c.method === 'getUpdates' && Number(c.body.timeout ?? 0) > 0), POLL_DEADLINE_MS, 'long polling after the config reload');
    const metrics = await measure(ctx, telegram, OFFLINE);
    // The official gateway's custom-provider shape (docs/gateway/local-models.md); ours reads the same keys.
    const benchai = {
      baseUrl: model.baseUrl, apiKey: 'bench-key', api: 'openai-completions',
      models: [{ id: 'bench-model', name: 'Bench model', reasoning: false, input: ['text'], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 120_000, maxTokens: 1024 }],
    };
    const models = { mode: 'merge', ...(config.models as Record<string, unknown> | undefined), providers: { ...((config.models as { providers?: object } | undefined)?.providers), benchai } };
    const agents = config.agents as { defaults?: object } | undefined;
    writeConfig(configPath, { ...withChannel, models, agents: { ...agents, defaults: { ...agents?.defaults, model: { primary: 'benchai/bench-model' } } } });
    metrics.push(...(await measure(ctx, telegram, MODEL)));
    return metrics;
  } finally {
    await Promise.all([telegram.close(), model.close()]);
  }
}
