/** `channels.*` validation: closed sections at the root, in accounts.<id> and groups.<id>, with dotted paths. */
import { describe, expect, it } from 'vitest';
import { isGatewayFileConfig } from '../../protocol/config.js';

const issue = (value: unknown): string => {
  expect(isGatewayFileConfig(value)).toBe(false);
  return isGatewayFileConfig.lastError();
};

describe('channels config', () => {
  it('refuses unknown keys with their path, in the root, an account and a group', () => {
    expect(issue({ channels: { telegram: { dmPolicyy: 'open' } } })).toBe('channels.telegram.dmPolicyy: unknown key');
    expect(issue({ channels: { telegram: { accounts: { work: { tokn: 'x' } } } } })).toBe('channels.telegram.accounts.work.tokn: unknown key');
    expect(issue({ channels: { telegram: { groups: { '-100777': { requireMentions: true } } } } })).toBe('channels.telegram.groups.-100777.requireMentions: unknown key');
    expect(issue({ channels: { whatsapp: { sendReadReceipt: true } } })).toBe('channels.whatsapp.sendReadReceipt: unknown key');
  });

  it('names wrong values', () => {
    expect(issue({ channels: { telegram: { dmPolicy: 'everyone' } } })).toBe('channels.telegram.dmPolicy: expected one of "pairing", "allowlist", "open", "disabled", got "everyone"');
    expect(issue({ channels: { telegram: { streaming: { mode: 'fast' } } } })).toBe('channels.telegram.streaming.mode: expected one of "off", "partial", "block", "progress", got "fast"');
    expect(issue({ channels: { telegram: { accounts: { a: { enabled: 'yes' } } } } })).toBe('channels.telegram.accounts.a.enabled: expected boolean (true or false), got "yes"');
  });

  it('accepts the documented keys', () => {
    expect(isGatewayFileConfig({
      channels: {
        defaults: { groupPolicy: 'open' },
        telegram: {
          enabled: true, botToken: '123:abc', apiRoot: 'http://127.0.0.1:1', dmPolicy: 'pairing', allowFrom: ['tg:1', 2], groupPolicy: 'open',
          groups: { '-100777': { requireMention: true } }, streaming: { mode: 'partial' }, textChunkLimit: 3000,
          accounts: { work: { botToken: '456:def', name: 'Work' } }, defaultAccount: 'work',
        },
        whatsapp: { enabled: true, dmPolicy: 'allowlist', allowFrom: ['+15551234567'], accounts: { default: { authDir: '/tmp/wa' } } },
        discord: { anything: true },
      },
    })).toBe(true);
  });
});
