import { describe, expect, it } from 'vitest';
import { PAIRING_CODE_ALPHABET, chunkText, decideAccess, pairingCode, type AccessRules } from '../../machines/channel-access.js';

const rules = (overrides: Partial<AccessRules> = {}): AccessRules => ({ dmPolicy: 'pairing', allowFrom: [], groupPolicy: 'allowlist', groupAllowFrom: [], ...overrides });
const dm = (senderId: string) => ({ chatType: 'direct' as const, chatId: senderId, senderId, mentioned: false });
const group = (chatId: string, senderId: string, mentioned: boolean) => ({ chatType: 'group' as const, chatId, senderId, mentioned });
const none = new Set<string>();

describe('channel access rules', () => {
  it('DM policies: disabled ignores, open answers, allowlist needs allowFrom or an approval', () => {
    expect(decideAccess(rules({ dmPolicy: 'disabled' }), dm('1'), none, [], 0)).toEqual({ kind: 'ignore', reason: 'dm-disabled' });
    expect(decideAccess(rules({ dmPolicy: 'open', allowFrom: ['*'] }), dm('1'), none, [], 0)).toEqual({ kind: 'turn' });
    expect(decideAccess(rules({ dmPolicy: 'allowlist', allowFrom: ['2'] }), dm('1'), none, [], 0)).toEqual({ kind: 'ignore', reason: 'dm-not-allowed' });
    expect(decideAccess(rules({ dmPolicy: 'allowlist', allowFrom: ['2'] }), dm('2'), none, [], 0)).toEqual({ kind: 'turn' });
    expect(decideAccess(rules({ dmPolicy: 'allowlist', allowFrom: ['2'] }), dm('1'), new Set(['1']), [], 0)).toEqual({ kind: 'turn' });
  });

  it('pairing: a new sender gets a request, a pending one is seen, at most 3 pending, expired ones do not count', () => {
    const pending = [
      { requestId: 'a', senderId: '10', expiresAt: 5000 },
      { requestId: 'b', senderId: '11', expiresAt: 5000 },
      { requestId: 'c', senderId: '12', expiresAt: 5000 },
    ];
    expect(decideAccess(rules(), dm('1'), none, [], 0)).toEqual({ kind: 'pairing-new' });
    expect(decideAccess(rules(), dm('11'), none, pending, 1000)).toEqual({ kind: 'pairing-seen', requestId: 'b' });
    expect(decideAccess(rules(), dm('1'), none, pending, 1000)).toEqual({ kind: 'ignore', reason: 'pairing-full' });
    expect(decideAccess(rules(), dm('1'), none, pending, 5000)).toEqual({ kind: 'pairing-new' });
    expect(decideAccess(rules(), dm('1'), new Set(['1']), pending, 1000)).toEqual({ kind: 'turn' });
  });

  it('groups: the groups map is the allowlist, requireMention defaults on, allowlist checks senders', () => {
    const open = rules({ groupPolicy: 'open', groups: { '-100777': { requireMention: true }, '-100888': { requireMention: false } } });
    expect(decideAccess(open, group('-100777', '5', false), none, [], 0)).toEqual({ kind: 'ignore', reason: 'no-mention' });
    expect(decideAccess(open, group('-100777', '5', true), none, [], 0)).toEqual({ kind: 'turn' });
    expect(decideAccess(open, group('-100888', '5', false), none, [], 0)).toEqual({ kind: 'turn' });
    expect(decideAccess(open, group('-100999', '5', true), none, [], 0)).toEqual({ kind: 'ignore', reason: 'group-not-allowed' });
    expect(decideAccess(rules({ groupPolicy: 'disabled' }), group('-1', '5', true), none, [], 0)).toEqual({ kind: 'ignore', reason: 'group-disabled' });
    expect(decideAccess(rules({ groupAllowFrom: ['6'] }), group('-1', '5', true), none, [], 0)).toEqual({ kind: 'ignore', reason: 'group-sender-not-allowed' });
    expect(decideAccess(rules({ groupAllowFrom: ['6'] }), group('-1', '6', true), none, [], 0)).toEqual({ kind: 'turn' });
  });

  it('pairing codes are 8 characters of the unambiguous alphabet', () => {
    const code = pairingCode([0, 1, 2, 3, 4, 5, 6, 31]);
    expect(code).toBe('ABCDEFG9');
    expect([...code].every((ch) => PAIRING_CODE_ALPHABET.includes(ch))).toBe(true);
  });

  it('chunks at 4000 evenly on paragraph boundaries; short text stays whole', () => {
    expect(chunkText('hello', 4000)).toEqual(['hello']);
    const paragraphs = Array.from({ length: 30 }, (_, i) => `P${i} ${'y'.repeat(340)}`);
    const text = paragraphs.join('\n\n');
    const chunks = chunkText(text, 4000);
    expect(chunks).toHaveLength(3);
    expect(chunks.every((c) => c.length <= 4000 && c.length > 2500)).toBe(true);
    expect(chunks.join('\n\n')).toBe(text);
    const solid = 'z'.repeat(9000);
    expect(chunkText(solid, 4000).map((c) => c.length)).toEqual([4000, 4000, 1000]);
  });
});
