import { WHATSAPP_LINK_POLICY } from '../../../machines/channel-link.js';
import type { GroupPolicy, WhatsAppAccount, WhatsAppSection } from '../../../protocol/config-channels.js';
import type { GatewayFileConfig } from '../../../protocol/config.js';
import { accountIds, defaultAccountOf } from '../account-ids.js';
import {
  ChannelSendError, type ChannelAccountConfig, type ChannelDefinition, type ChannelTarget, type DefinitionContext, type LogoutOutcome, type StatusIssue,
} from '../contract.js';
import { readAuthSummarySync, removeAuth, whatsappAuthDir } from './auth-store.js';
import { normalizeE164, targetToJid } from './jid.js';
import { notLinkedError } from './not-linked.js';
import type { WaSocketFactory } from './socket.js';

/*
 * WhatsApp as a channel (CHANNELS.md §1, §2.3, §3): config resolution, targets, the not-linked
 * refusal, logout. Light on purpose: Baileys is imported only when an account connects
 * (adapter.ts → socket.ts), so a gateway without `channels.whatsapp` never loads it.
 */

const MAX_CHUNK = 4000;
type AccountKeys = Omit<WhatsAppSection, 'accounts' | 'defaultAccount'>;

const section = (config: GatewayFileConfig): WhatsAppSection | undefined => config.channels?.whatsapp;


/** `allowFrom` entries as E.164 (`"*"` kept); entries that are no number are dropped. */
const normalizeAllow = (list: readonly string[] | undefined): string[] =>
  (list ?? []).flatMap((entry) => (entry.trim() === '*' ? ['*'] : (normalizeE164(entry) ?? [])));

/** Omitted account keys inherit from `accounts.default`, then the channel root (CHANNELS.md §2.1). */
function resolveAccount(root: WhatsAppSection, accountId: string, context: DefinitionContext, fallbackGroupPolicy: GroupPolicy | undefined): ChannelAccountConfig {
  const { accounts, defaultAccount: _default, ...rootKeys } = root;
  const own: WhatsAppAccount = accounts?.[accountId] ?? {};
  const base: WhatsAppAccount = accountId === 'default' ? {} : (accounts?.default ?? {});
  const { name: _baseName, authDir: _baseAuthDir, enabled: _baseEnabled, ...inherited } = base;
  const keys: AccountKeys = { ...rootKeys, ...inherited, ...own };
  const authDir = whatsappAuthDir(context.stateDir, accountId, own.authDir ?? (accountId === defaultAccountOf(root) ? root.authDir : undefined));
  const groups = keys.groups
    ? Object.fromEntries(Object.entries(keys.groups).map(([id, group]) => [id, group.requireMention !== undefined ? { requireMention: group.requireMention } : {}]))
    : undefined;
  const webSocketUrl = context.env.OPENCLAW_WHATSAPP_WEB_SOCKET_URL;
  const settings = {
    authDir,
    sendReadReceipts: keys.sendReadReceipts ?? true,
    ...(webSocketUrl && /^wss?:\/\//.test(webSocketUrl) ? { webSocketUrl } : {}),
  };
  const resolved = {
    channel: 'whatsapp',
    accountId,
    ...(own.name ? { name: own.name } : {}),
    enabled: (root.enabled ?? true) && (own.enabled ?? true),
    configured: true,
    dmPolicy: keys.dmPolicy ?? 'pairing',
    allowFrom: normalizeAllow(keys.allowFrom),
    groupPolicy: keys.groupPolicy ?? fallbackGroupPolicy ?? 'allowlist',
    groupAllowFrom: normalizeAllow(keys.groupAllowFrom ?? keys.allowFrom),
    ...(groups ? { groups } : {}),
    streaming: 'off',
    textChunkLimit: Math.min(keys.textChunkLimit ?? MAX_CHUNK, MAX_CHUNK),
    settings,
  } as const;
  return { ...resolved, fingerprint: JSON.stringify(resolved) };
}

/** Status fields of an account that is not running, read from its auth files. */
function idleSnapshot(account: ChannelAccountConfig): Record<string, unknown> {
  const auth = readAuthSummarySync(String(account.settings.authDir));
  return {
    linked: auth.linked,
    statusState: auth.linked ? 'linked' : 'not-linked',
    authAgeMs: auth.authWrittenAt === null ? null : Math.max(0, Date.now() - auth.authWrittenAt),
    self: auth.self,
    lastDisconnect: null,
    ...(auth.linked ? {} : { stateReason: 'not linked' }),
  };
}

/** `channels.status.channels.whatsapp`: the default account's snapshot in the official's keys. */
function summary(snapshot: Record<string, unknown>): Record<string, unknown> {
  const keys = ['configured', 'statusState', 'linked', 'authAgeMs', 'self', 'running', 'connected', 'lastConnectedAt', 'lastDisconnect', 'reconnectAttempts', 'lastInboundAt', 'lastMessageAt', 'lastEventAt', 'busy', 'lastRunActivityAt', 'lastError', 'healthState', 'lifecycle'];
  return Object.fromEntries(keys.map((key) => [key, snapshot[key] ?? (key === 'busy' ? false : key === 'reconnectAttempts' ? 0 : null)]));
}

/** An unlinked account is an auth issue with the official's fix. */
function statusIssues(account: ChannelAccountConfig, snapshot: Record<string, unknown>): StatusIssue[] {
  if (snapshot.linked !== false || !account.enabled) return [];
  return [{ channel: 'whatsapp', accountId: account.accountId, kind: 'auth', message: 'Not linked (no WhatsApp Web session).', fix: 'Run: openclaw channels login (scan QR on the gateway host).' }];
}

let seam: WaSocketFactory | undefined;

/**
 * Replaces Baileys' socket factory (undefined: back to Baileys'). The narrowest seam Baileys
 * offers (CHANNELS.md §8.2): tests pass real sockets whose calls to WhatsApp are intercepted.
 */
export function replaceWhatsAppSocketFactory(factory: WaSocketFactory | undefined): void {
  seam = factory;
}

/** The socket factory in use (undefined: Baileys'), for the adapter and the QR login. */
export const whatsappSocketFactory = (): WaSocketFactory | undefined => seam;

/** The WhatsApp channel the gateway registers. */
export const whatsappChannel: ChannelDefinition = (() => {
  const definition: ChannelDefinition = {
    id: 'whatsapp',
    label: 'WhatsApp',
    detailLabel: 'WhatsApp Web',
    systemImage: 'message',
    docsPath: '/channels/whatsapp',
    linkPolicy: WHATSAPP_LINK_POLICY,
    pairingSenderLabel: 'whatsappSenderId',
    pairingIdLabel: 'Your WhatsApp phone number',
    notifySupported: false,
    targetPrefixes: ['whatsapp:'],
    isConfigured: (config) => section(config) !== undefined,
    accounts(config, context) {
      const root = section(config);
      if (!root) return [];
      return accountIds(root).map((id) => resolveAccount(root, id, context, config.channels?.defaults?.groupPolicy));
    },
    defaultAccountId: (config) => defaultAccountOf(section(config)),
    parseTarget(to): ChannelTarget {
      const jid = targetToJid(to);
      if (!jid) throw new ChannelSendError(`invalid WhatsApp target: ${to} (use an E.164 number like +15551234567 or a JID)`, 'invalid');
      return { chatId: jid };
    },
    unavailableReason: (_account, accountId) => notLinkedError(accountId),
    startBlocker: (account) => (readAuthSummarySync(String(account.settings.authDir)).linked ? undefined : 'unlinked'),
    async createAdapter(host) {
      const { createWhatsAppAdapter } = await import('./adapter.js');
      return createWhatsAppAdapter(host, seam);
    },
    /** Removes the account's Baileys auth files (the account is stopped first). */
    async logout(account): Promise<LogoutOutcome> {
      const cleared = await removeAuth(String(account.settings.authDir));
      return { cleared, loggedOut: cleared };
    },
    idleSnapshot,
    summary,
    statusIssues,
  };
  return definition;
})();
