import { lstatSync, readFileSync } from 'node:fs';
import { TELEGRAM_LINK_POLICY } from '../../../machines/channel-link.js';
import type { GroupPolicy, TelegramAccount, TelegramSection } from '../../../protocol/config-channels.js';
import type { GatewayFileConfig } from '../../../protocol/config.js';
import { accountIds, defaultAccountOf } from '../account-ids.js';
import { readConfigFile, writeConfigFile } from '../../config/file.js';
import {
  ChannelSendError, type ChannelAccountConfig, type ChannelDefinition, type ChannelTarget, type DefinitionContext, type LogoutOutcome,
} from '../contract.js';

/*
 * Telegram as a channel (CHANNELS.md §1–§3): config resolution, targets, logout. Light on
 * purpose: grammY is imported only by adapter.ts, when an account starts.
 */

export const TELEGRAM_API_ROOT = 'https://api.telegram.org';
const MAX_CHUNK = 4000;

type AccountKeys = Omit<TelegramSection, 'accounts' | 'defaultAccount'>;

/** `telegram:123`/`tg:123` → `123`; numbers → strings. */
const normalizeId = (id: string | number): string => String(id).trim().replace(/^(telegram|tg):/i, '');

/** The Bot API root, without a trailing `/` or an accidental `/bot<TOKEN>` suffix. */
export function normalizeApiRoot(root: string | undefined): string {
  return (root ?? TELEGRAM_API_ROOT).replace(/\/+$/, '').replace(/\/bot[^/]*$/, '');
}

/** Token precedence: tokenFile > botToken > TELEGRAM_BOT_TOKEN (default account only). */
function resolveToken(keys: AccountKeys, isDefault: boolean, env: DefinitionContext['env']): { token: string | null; source: string } {
  if (keys.tokenFile) {
    try {
      if (lstatSync(keys.tokenFile).isFile()) return { token: readFileSync(keys.tokenFile, 'utf8').trim() || null, source: 'tokenFile' };
    } catch {
      return { token: null, source: 'tokenFile' }; // missing file: the account is unconfigured, status says so
    }
    return { token: null, source: 'tokenFile' }; // a symlink or directory is refused
  }
  if (typeof keys.botToken === 'string' && keys.botToken.length > 0) return { token: keys.botToken, source: 'config' };
  const fromEnv = env.TELEGRAM_BOT_TOKEN;
  if (isDefault && fromEnv) return { token: fromEnv, source: 'env' };
  return { token: null, source: 'none' };
}

const section = (config: GatewayFileConfig): TelegramSection | undefined => config.channels?.telegram;


function resolveAccount(root: TelegramSection, accountId: string, context: DefinitionContext, fallbackGroupPolicy: GroupPolicy | undefined): ChannelAccountConfig {
  const { accounts, defaultAccount: _default, ...rootKeys } = root;
  const own: TelegramAccount = accounts?.[accountId] ?? {};
  const keys: AccountKeys = { ...rootKeys, ...own };
  const isDefault = accountId === defaultAccountOf(root);
  const { token, source } = resolveToken(keys, isDefault, context.env);
  const groups = keys.groups
    ? Object.fromEntries(
        Object.entries(keys.groups).map(([id, group]) => [
          id,
          {
            ...(group.requireMention !== undefined ? { requireMention: group.requireMention } : {}),
            ...(group.enabled !== undefined ? { enabled: group.enabled } : {}),
            ...(group.allowFrom ? { allowFrom: group.allowFrom.map(normalizeId) } : {}),
          },
        ]),
      )
    : undefined;
  const settings = {
    token,
    tokenSource: source,
    apiRoot: normalizeApiRoot(keys.apiRoot),
    webhookUrl: keys.webhookUrl ?? null,
    allowUnmentionedGroups: Object.values(keys.groups ?? {}).some((g) => g.requireMention === false),
  };
  const resolved = {
    channel: 'telegram',
    accountId,
    ...(own.name ? { name: own.name } : {}),
    enabled: (root.enabled ?? true) && (own.enabled ?? true),
    configured: token !== null,
    dmPolicy: keys.dmPolicy ?? 'pairing',
    allowFrom: (keys.allowFrom ?? []).map(normalizeId),
    groupPolicy: keys.groupPolicy ?? fallbackGroupPolicy ?? 'allowlist',
    groupAllowFrom: (keys.groupAllowFrom ?? []).map(normalizeId),
    ...(groups ? { groups } : {}),
    streaming: keys.streaming?.mode ?? 'progress',
    textChunkLimit: Math.min(keys.textChunkLimit ?? MAX_CHUNK, keys.richMessages ? 32_768 : MAX_CHUNK),
    settings,
  } as const;
  return { ...resolved, fingerprint: JSON.stringify(resolved) };
}

/** The Telegram channel. */
export const telegramChannel: ChannelDefinition = {
  id: 'telegram',
  label: 'Telegram',
  detailLabel: 'Telegram Bot',
  systemImage: 'paperplane',
  docsPath: '/channels/telegram',
  linkPolicy: TELEGRAM_LINK_POLICY,
  pairingSenderLabel: 'telegramUserId',
  pairingIdLabel: 'Your Telegram user id',
  notifySupported: true,
  targetPrefixes: ['telegram:', 'tg:'],
  isConfigured: (config) => section(config) !== undefined,
  accounts(config, context) {
    const root = section(config);
    if (!root) return [];
    return accountIds(root).map((id) => resolveAccount(root, id, context, config.channels?.defaults?.groupPolicy));
  },
  defaultAccountId: (config) => defaultAccountOf(section(config)),
  parseTarget(to): ChannelTarget {
    const trimmed = to.trim();
    const topic = /^(-?\d+):topic:(\d+)$/.exec(trimmed);
    if (topic) return { chatId: topic[1] as string, threadId: topic[2] as string };
    if (/^-?\d+$/.test(trimmed) || /^@[A-Za-z0-9_]{3,}$/.test(trimmed)) return { chatId: trimmed };
    throw new ChannelSendError(`invalid Telegram target: ${to}`, 'invalid');
  },
  unavailableReason: (_account, accountId) =>
    new ChannelSendError(
      `OutboundDeliveryError: Telegram bot token missing for account "${accountId}" (set channels.telegram.accounts.${accountId}.botToken/tokenFile or TELEGRAM_BOT_TOKEN for default).`,
      'unavailable',
      { code: 'OUTBOUND_DELIVERY_QUEUED' },
    ),
  async createAdapter(host) {
    const { createTelegramAdapter } = await import('./adapter.js');
    return createTelegramAdapter(host);
  },
  /** Removes the account's `botToken` from the config file (as the official does). */
  async logout(account, context): Promise<LogoutOutcome> {
    const envToken = account.settings.tokenSource === 'env';
    const read = readConfigFile(context.configPath);
    if (read.kind !== 'ok') return { cleared: false, envToken, loggedOut: false };
    const root = read.config.channels?.telegram;
    if (!root) return { cleared: false, envToken, loggedOut: false };
    let cleared = false;
    const own = root.accounts?.[account.accountId];
    if (own && 'botToken' in own) {
      delete own.botToken;
      cleared = true;
    } else if (account.accountId === defaultAccountOf(root) && 'botToken' in root) {
      delete root.botToken;
      cleared = true;
    }
    if (cleared) writeConfigFile(context.configPath, read.config);
    return { cleared, envToken, loggedOut: false };
  },
};
