import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import {
  TELEGRAM_LINK_POLICY, WHATSAPP_LINK_POLICY, backoffDelay, channelLinkMachine, type LinkPolicy, type LinkRecord,
} from '../../machines/channel-link.js';

/** The channel-link machine with recording stubs and a simulated clock. */
function harness(policy: LinkPolicy) {
  const records: LinkRecord[] = [];
  const effects: string[] = [];
  const clock = new SimulatedClock();
  const actor = createActor(
    channelLinkMachine.provide({
      actions: {
        openLink: () => effects.push('open'),
        closeLink: () => effects.push('close'),
        recordLink: (_, params) => records.push(params),
      },
    }),
    { input: { channel: 'telegram', accountId: 'default', policy }, clock },
  );
  actor.start();
  const state = () => actor.getSnapshot().value;
  const fail = (code: number | undefined, random = 0, message = `failed ${code ?? 'network'}`) =>
    actor.send({ type: 'link.failed', ...(code !== undefined ? { code } : {}), message, random });
  return { actor, records, effects, clock, state, fail };
}

describe('channel-link machine', () => {
  it('starts stopped, opens the link on link.start and records starting, then connected', () => {
    const h = harness(TELEGRAM_LINK_POLICY);
    expect(h.state()).toBe('stopped');
    h.actor.send({ type: 'link.start' });
    expect(h.state()).toBe('starting');
    expect(h.effects).toEqual(['open']);
    h.actor.send({ type: 'link.connected' });
    expect(h.state()).toBe('connected');
    expect(h.records.map((r) => r.state)).toEqual(['starting', 'connected']);
  });

  it('Telegram 409: waits 30 s, 60 s, 120 s … (+ up to 20 % jitter from the input), capped at 600 s', () => {
    const h = harness(TELEGRAM_LINK_POLICY);
    h.actor.send({ type: 'link.start' });
    h.actor.send({ type: 'link.connected' });
    h.fail(409, 0);
    expect(h.state()).toBe('reconnecting');
    expect(h.records.at(-1)).toEqual({ state: 'reconnecting', attempts: 1, error: 'failed 409', code: '409', retryInMs: 30_000 });
    h.clock.increment(29_999);
    expect(h.state()).toBe('reconnecting');
    h.clock.increment(1);
    expect(h.state()).toBe('starting');
    expect(h.effects).toEqual(['open', 'close', 'open']);
    h.fail(409, 0.5); // second consecutive failure: 60 s + 10 %
    expect(h.actor.getSnapshot().context.retryInMs).toBe(66_000);
    h.clock.increment(66_000);
    h.fail(409, 0.999);
    expect(h.actor.getSnapshot().context.retryInMs).toBe(Math.round(120_000 * 1.1998));
    expect([5, 6, 7, 8, 9].map((n) => backoffDelay(TELEGRAM_LINK_POLICY.byCode!['409']!, n, 0))).toEqual([480_000, 600_000, 600_000, 600_000, 600_000]);
    expect(backoffDelay(TELEGRAM_LINK_POLICY.byCode!['409']!, 9, 1)).toBe(720_000);
  });

  it('Telegram: a successful poll resets the counter; network errors back off 1 s doubling to 30 s', () => {
    const h = harness(TELEGRAM_LINK_POLICY);
    h.actor.send({ type: 'link.start' });
    h.fail(409);
    h.clock.increment(30_000);
    h.actor.send({ type: 'link.connected' });
    expect(h.actor.getSnapshot().context.attempts).toBe(0);
    h.fail(undefined);
    expect(h.actor.getSnapshot().context.retryInMs).toBe(1000);
    h.clock.increment(1000);
    h.fail(undefined);
    expect(h.actor.getSnapshot().context.retryInMs).toBe(2000);
  });

  it('Telegram 401 blocks at once: no retry timer, and only link.start leaves it', () => {
    const h = harness(TELEGRAM_LINK_POLICY);
    h.actor.send({ type: 'link.start' });
    h.fail(401, 0, 'Unauthorized');
    expect(h.state()).toBe('blocked');
    expect(h.records.at(-1)).toEqual({ state: 'blocked', attempts: 1, error: 'Unauthorized', code: '401', retryInMs: null });
    h.clock.increment(3_600_000);
    expect(h.state()).toBe('blocked');
    expect(h.effects).toEqual(['open', 'close']);
    h.actor.send({ type: 'link.start' });
    expect(h.state()).toBe('starting');
    expect(h.actor.getSnapshot().context).toMatchObject({ attempts: 0, lastError: null });
  });

  it('WhatsApp: 2 s × 1.8 (+ up to 25 %), capped at 30 s, blocks after 12 attempts', () => {
    const h = harness(WHATSAPP_LINK_POLICY);
    h.actor.send({ type: 'link.start' });
    const delays: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      h.fail(428, 0);
      expect(h.state()).toBe('reconnecting');
      delays.push(h.actor.getSnapshot().context.retryInMs ?? -1);
      h.clock.increment(delays.at(-1) ?? 0);
      expect(h.state()).toBe('starting');
    }
    expect(delays.slice(0, 6)).toEqual([2000, 3600, 6480, 11_664, 20_995, 30_000]);
    expect(delays.slice(6)).toEqual([30_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    h.fail(428, 0);
    expect(h.state()).toBe('blocked');
    expect(h.records.at(-1)).toMatchObject({ state: 'blocked', attempts: 13, code: '428' });
    expect(backoffDelay(WHATSAPP_LINK_POLICY.backoff, 1, 1)).toBe(2500);
  });

  it('WhatsApp: a connect alone keeps the counter; link.healthy resets it; 401 and 440 are terminal', () => {
    const h = harness(WHATSAPP_LINK_POLICY);
    h.actor.send({ type: 'link.start' });
    h.fail(500);
    h.clock.increment(2000);
    h.actor.send({ type: 'link.connected' });
    expect(h.actor.getSnapshot().context.attempts).toBe(1);
    h.actor.send({ type: 'link.healthy' });
    expect(h.actor.getSnapshot().context.attempts).toBe(0);
    h.fail(440, 0, 'replaced');
    expect(h.state()).toBe('blocked');
    h.actor.send({ type: 'link.start' });
    h.fail(401, 0, 'logged out');
    expect(h.state()).toBe('blocked');
  });

  it('link.stop from any state closes the link, cancels a pending retry and records stopped', () => {
    const h = harness(TELEGRAM_LINK_POLICY);
    h.actor.send({ type: 'link.start' });
    h.fail(409);
    h.actor.send({ type: 'link.stop' });
    expect(h.state()).toBe('stopped');
    expect(h.records.at(-1)).toMatchObject({ state: 'stopped', retryInMs: null });
    h.clock.increment(60_000);
    expect(h.state()).toBe('stopped');
    expect(h.effects).toEqual(['open', 'close', 'close']);
  });
});
