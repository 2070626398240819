/**
 * channels: 100 DMs from 100 senders through a fake Telegram Bot API on 127.0.0.1. The scenario
 * adds `channels.telegram` (apiRoot = the fake, dmPolicy open) and `session.dmScope:
 * per-channel-peer` to the target's config file and waits for the hot reload to start long
 * polling; then it queues every DM at once and times, per sender, queueing → the reply's
 * `sendMessage` reaching the fake. Works against any target the bench started (ours, official).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram } from '../../test/helpers/fake-telegram.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { summarize } from '../stats.js';

const SENDERS = 100;
const FIRST_SENDER = 90_000;
const POLL_DEADLINE_MS = 90_000;
const REPLY_DEADLINE_MS = 180_000;

export async function runChannels(ctx: ScenarioContext): Promise<Metric[]> {
  const { configPath } = ctx.target;
  if (!configPath) {
    ctx.note('channels: target config unknown (not started by the bench); skipped');
    return [];
  }
  const telegram = await startFakeTelegram();
  try {
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    } catch {
      config = {};
    }
    const channels = { ...(config.channels as Record<string, unknown> | undefined), telegram: { enabled: true, botToken: '123456:BENCH-token', apiRoot: telegram.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } };
    writeFileSync(configPath, `${JSON.stringify({ ...config, channels, session: { ...(config.session as object | undefined), dmScope: 'per-channel-peer' } }, null, 2)}\n`);
    await telegram.waitFor((calls) => calls.some((c) => c.method === 'getUpdates' && Number(c.body.timeout ?? 0) > 0), POLL_DEADLINE_MS, 'long polling after the config reload');
    const queuedAt = new Map<string, number>();
    const repliedAt = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < SENDERS; i += 1) {
      const sender = FIRST_SENDER + i;
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
    ).catch((error: unknown) => ctx.note(`channels: ${error instanceof Error ? error.message.split(';')[0] : String(error)}`));
    // call.at is Date.now(); convert the queue times to the same clock.
    const offset = Date.now() - performance.now();
    const latencies = [...repliedAt].map(([chat, at]) => at - ((queuedAt.get(chat) ?? 0) + offset));
    const lastReply = Math.max(...[...repliedAt.values()].map((at) => at - offset), started);
    const stats = summarize(latencies);
    const perSecond = repliedAt.size > 0 ? repliedAt.size / ((lastReply - started) / 1000) : null;
    ctx.log(`channels: ${repliedAt.size}/${SENDERS} replies, p50 ${stats.p50?.toFixed(0)} ms, p99 ${stats.p99?.toFixed(0)} ms, ${perSecond?.toFixed(1)} msgs/s`);
    return [
      metric('channels.replies', `Telegram DMs answered (of ${SENDERS})`, 'count', repliedAt.size, 'higher'),
      metric('channels.reply.p50', 'Telegram DM → reply p50', 'ms', stats.p50 ?? null, 'lower'),
      metric('channels.reply.p99', 'Telegram DM → reply p99', 'ms', stats.p99 ?? null, 'lower'),
      metric('channels.throughput', 'Telegram DMs answered per second', 'msgs/s', perSecond, 'higher'),
    ];
  } finally {
    await telegram.close();
  }
}
