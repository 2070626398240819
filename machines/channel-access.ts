import type { DmPolicy, GroupPolicy } from '../protocol/config-channels.js';

/*
 * Who reaches the agent through a channel (CHANNELS.md §2.1, §3.7, §4): pure rules, no I/O.
 *
 *   DM     disabled → ignored; open → turn; allowlist → allowFrom ∪ approved; pairing → the same,
 *          else an existing pending request is "seen", else a new request (≤3 pending, 1 h).
 *   group  groupPolicy disabled → ignored; a `groups` map is the group allowlist ("*" = all);
 *          allowlist → the sender must be in groupAllowFrom (falling back to allowFrom);
 *          requireMention (default true) → only messages that mention the bot.
 */

/** Pairing limits (official: 3 pending per channel account, codes live 1 h). */
export const PAIRING_LIMITS = { pendingPerAccount: 3, ttlMs: 3_600_000 } as const;
/** Alphabet of pairing codes (no 0/O, 1/I). */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;

/** The access rules of one account. */
export interface AccessRules {
  readonly dmPolicy: DmPolicy;
  readonly allowFrom: readonly string[];
  readonly groupPolicy: GroupPolicy;
  readonly groupAllowFrom: readonly string[];
  readonly groups?: Readonly<Record<string, { readonly requireMention?: boolean; readonly enabled?: boolean; readonly allowFrom?: readonly string[] }>>;
}

/** A pending pairing request as the decision needs it. */
export interface PendingPairing {
  readonly requestId: string;
  readonly senderId: string;
  readonly expiresAt: number;
}

/** What an inbound message looks like to the rules. */
export interface InboundFacts {
  readonly chatType: 'direct' | 'group';
  readonly chatId: string;
  readonly senderId: string;
  readonly mentioned: boolean;
}

export type AccessDecision =
  | { readonly kind: 'turn' }
  | { readonly kind: 'ignore'; readonly reason: string }
  | { readonly kind: 'pairing-new' }
  | { readonly kind: 'pairing-seen'; readonly requestId: string };

const listed = (list: readonly string[], id: string): boolean => list.includes('*') || list.includes(id);

/** Decides what happens to one inbound message. `now` and the stores arrive as inputs. */
export function decideAccess(
  rules: AccessRules,
  message: InboundFacts,
  approved: ReadonlySet<string>,
  pending: readonly PendingPairing[],
  now: number,
): AccessDecision {
  if (message.chatType === 'group') return decideGroup(rules, message);
  switch (rules.dmPolicy) {
    case 'disabled':
      return { kind: 'ignore', reason: 'dm-disabled' };
    case 'open':
      return { kind: 'turn' };
    case 'allowlist':
      return listed(rules.allowFrom, message.senderId) || approved.has(message.senderId) ? { kind: 'turn' } : { kind: 'ignore', reason: 'dm-not-allowed' };
    case 'pairing': {
      if (listed(rules.allowFrom, message.senderId) || approved.has(message.senderId)) return { kind: 'turn' };
      const live = pending.filter((p) => p.expiresAt > now);
      const mine = live.find((p) => p.senderId === message.senderId);
      if (mine) return { kind: 'pairing-seen', requestId: mine.requestId };
      if (live.length >= PAIRING_LIMITS.pendingPerAccount) return { kind: 'ignore', reason: 'pairing-full' };
      return { kind: 'pairing-new' };
    }
  }
}

function decideGroup(rules: AccessRules, message: InboundFacts): AccessDecision {
  if (rules.groupPolicy === 'disabled') return { kind: 'ignore', reason: 'group-disabled' };
  const group = rules.groups?.[message.chatId] ?? rules.groups?.['*'];
  if (rules.groups && !group) return { kind: 'ignore', reason: 'group-not-allowed' };
  if (group?.enabled === false) return { kind: 'ignore', reason: 'group-disabled' };
  if (rules.groupPolicy === 'allowlist') {
    const senders = group?.allowFrom ?? (rules.groupAllowFrom.length > 0 ? rules.groupAllowFrom : rules.allowFrom);
    if (!listed(senders, message.senderId)) return { kind: 'ignore', reason: 'group-sender-not-allowed' };
  }
  if ((group?.requireMention ?? true) && !message.mentioned) return { kind: 'ignore', reason: 'no-mention' };
  return { kind: 'turn' };
}

/** A pairing code from `PAIRING_CODE_LENGTH` random indexes into the alphabet (the caller draws them). */
export function pairingCode(indexes: readonly number[]): string {
  return indexes
    .slice(0, PAIRING_CODE_LENGTH)
    .map((i) => PAIRING_CODE_ALPHABET[Math.abs(Math.trunc(i)) % PAIRING_CODE_ALPHABET.length])
    .join('');
}

/**
 * Splits a reply into chunks of at most `limit` characters, evenly (a 10,384-character text at
 * 4000 becomes three of about 3460), cutting at paragraph breaks, else line breaks, else spaces.
 */
export function chunkText(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const count = Math.ceil(text.length / limit);
  const target = Math.ceil(text.length / count);
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = cutPoint(rest, target, limit);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks.filter((c) => c.length > 0);
}

/** Where to cut `text`: the last break at or before `limit`, preferring one near `target`. */
function cutPoint(text: string, target: number, limit: number): number {
  for (const separator of ['\n\n', '\n', ' ']) {
    const window = text.slice(0, limit);
    // Prefer the first break at or after the even target, else the last one before the limit.
    const after = window.indexOf(separator, Math.max(1, target - separator.length));
    if (after > 0 && after <= limit) return after + separator.length;
    const before = window.lastIndexOf(separator);
    if (before > 0) return before + separator.length;
  }
  return limit;
}
