import { lstatSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

type TokenSource = 'tokenFile' | 'config' | 'env' | 'none';
type TokenLookup = { token: string; source: TokenSource } | { token: null; source: TokenSource } | null;

/** A `tokenFile`: `~` is the home dir; only a regular file counts (a symlink or directory is refused). */
function fileToken(path: string): TokenLookup {
  const trimmed = path.trim();
  const full = trimmed === '~' ? homedir() : trimmed.startsWith('~/') ? join(homedir(), trimmed.slice(2)) : trimmed;
  try {
    if (lstatSync(full).isFile()) {
      const token = readFileSync(full, 'utf8').trim();
      if (token) return { token, source: 'tokenFile' };
    }
  } catch {
    // missing file: the account is unconfigured, status says so
  }
  return { token: null, source: 'tokenFile' };
}

/**
 * A `botToken`: plaintext, `${NAME}` or a SecretRef object (`{source:"env"|"file"|"exec", provider?,
 * id}`), read from the gateway's secrets snapshot at `path`. Null when the key is absent; a ref the
 * snapshot cannot answer leaves the account without a token (source `none`), as the official does.
 */
function configToken(raw: unknown, path: string, context: DefinitionContext): TokenLookup {
  if (raw === undefined || raw === null || raw === '') return null;
  let value: string | undefined;
  try {
    value = context.secret ? context.secret(raw, path) : typeof raw === 'string' ? raw : undefined;
  } catch {
    value = undefined;
  }
  const token = value?.trim();
  return token ? { token, source: 'config' } : { token: null, source: 'none' };
}

/**
 * Token precedence as the official's `resolveTelegramToken`: the account's tokenFile, then its
 * botToken, then the root tokenFile, then the root botToken, then TELEGRAM_BOT_TOKEN (default account only).
 */
function resolveToken(root: AccountKeys, own: TelegramAccount, accountId: string, isDefault: boolean, context: DefinitionContext): { token: string | null; source: TokenSource } {
  const found =
    (own.tokenFile?.trim() ? fileToken(own.tokenFile) : null) ??
    configToken(own.botToken, `channels.telegram.accounts.${accountId}.botToken`, context) ??
    (root.tokenFile?.trim() ? fileToken(root.tokenFile) : null) ??
    configToken(root.botToken, 'channels.telegram.botToken', context);
  if (found) return found;
  const fromEnv = context.env.TELEGRAM_BOT_TOKEN?.trim();
  if (isDefault && fromEnv) return { token: fromEnv, source: 'env' };
  return { token: null, source: 'none' };
}

const section = (config: GatewayFileConfig): TelegramSection | undefined => config.channels?.telegram;


function resolveAccount(root: TelegramSection, accountId: string, context: DefinitionContext, fallbackGroupPolicy: GroupPolicy | undefined): ChannelAccountConfig {
  const { accounts, defaultAccount: _default, ...rootKeys } = root;
  const own: TelegramAccount = accounts?.[accountId] ?? {};
  const keys: AccountKeys = { ...rootKeys, ...own };
  const isDefault = accountId === defaultAccountOf(root);
  const { token, source } = resolveToken(rootKeys, own, accountId, isDefault, context);
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
