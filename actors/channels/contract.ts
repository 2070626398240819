import type { LinkFailure, LinkPolicy } from '../../machines/channel-link.js';
import type { DmPolicy, GroupPolicy, StreamingMode } from '../../protocol/config-channels.js';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { Logger } from '../logs/logger.js';

/*
 * How a channel plugs into the gateway (README.md in this folder says it in prose).
 *
 * A channel is a `ChannelDefinition` in the registry (registry.ts): static metadata, how its
 * accounts are read from the config, how a `to` target is parsed, and a lazy factory of one
 * `ChannelAccountAdapter` per account. The adapter only does platform I/O. The channel module
 * owns everything else: one channel-link actor per account (machines/channel-link.ts decides
 * retries and blocking from what the adapter reports), the journal stream
 * `channel:<channel>:<accountId>`, DM/group policy, pairing, agent turns, chunked replies,
 * typing, idempotent `send`, status and health.
 *
 * Inbound contract (journal first): the adapter hands every platform message to
 * `host.inbound(message)` and awaits it. It resolves once the message is committed to the
 * journal (or was already there); only then may the adapter acknowledge it to the platform
 * (advance Telegram's offset, send WhatsApp's receipt). A message handed over twice is
 * journaled once (by `id`).
 */

/** An account of a channel as the config resolves it (inheritance from the channel root applied). */
export interface ChannelAccountConfig {
  readonly channel: string;
  readonly accountId: string;
  readonly name?: string;
  readonly enabled: boolean;
  /** Has what it needs to start (a token; for WhatsApp, saved auth). */
  readonly configured: boolean;
  readonly dmPolicy: DmPolicy;
  /** Normalized sender ids allowed to DM (`"*"` = anyone). */
  readonly allowFrom: readonly string[];
  readonly groupPolicy: GroupPolicy;
  readonly groupAllowFrom: readonly string[];
  /** `groups.<id>`: `"*"` matches every group. Absent map: every group is known. */
  readonly groups?: Readonly<Record<string, { readonly requireMention?: boolean; readonly enabled?: boolean; readonly allowFrom?: readonly string[] }>>;
  readonly streaming: StreamingMode;
  /** Effective chunk size of replies and sends. */
  readonly textChunkLimit: number;
  /** Channel-specific settings the adapter reads (token, apiRoot, authDir…). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** A stable fingerprint of everything above: a change restarts only this account. */
  readonly fingerprint: string;
}

/** Where an outbound message goes, parsed from a `to`. */
export interface ChannelTarget {
  readonly chatId: string;
  readonly threadId?: string;
}

/** One message the platform accepted. */
export interface SentMessage {
  readonly messageId: string;
  readonly chatId: string;
  /** Extra result fields (`toJid` for WhatsApp). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** An outbound text. `html` means the text is already platform HTML (else the adapter escapes it). */
export interface OutboundText {
  readonly target: ChannelTarget;
  readonly text: string;
  readonly html?: boolean;
  readonly replyToId?: string;
  readonly silent?: boolean;
}

/** An outbound media item, by URL. */
export interface OutboundMedia {
  readonly target: ChannelTarget;
  readonly url: string;
  readonly caption?: string;
  readonly contentType?: string;
  readonly asVoice?: boolean;
  readonly forceDocument?: boolean;
}

/** An inbound message, normalized. Becomes `channel.inbound.received` (protocol/channel-facts.ts). */
export interface InboundMessage {
  /** Unique per account and stable across redeliveries (Telegram update_id, WhatsApp stanza id). */
  readonly id: string;
  readonly chatId: string;
  readonly chatType: 'direct' | 'group';
  readonly senderId: string;
  readonly senderName?: string;
  readonly username?: string;
  readonly text: string;
  readonly messageId: string;
  /** The bot was @-mentioned (or replied to) in a group. */
  readonly mentioned: boolean;
  readonly threadId?: string;
  readonly sentAt?: number;
}

/** What the module gives an adapter. */
export interface AdapterHost {
  readonly account: ChannelAccountConfig;
  readonly logger: Logger;
  /** The state dir (`~/.openclaw`), for credentials. */
  readonly stateDir: string;
  /** The link is up (Telegram: a getUpdates succeeded; WhatsApp: connection open). */
  connected(): void;
  /** The link has been up long enough to reset the retry counter (WhatsApp: 60 s). */
  healthy(): void;
  /** The link failed; the channel-link machine decides retry or block from `code`. */
  failed(failure: LinkFailure): void;
  /** Journals the message (once per id); resolves when committed. Only then acknowledge it. */
  inbound(message: InboundMessage): Promise<void>;
  /** The id of the newest inbound message journaled, or null (Telegram resumes its offset from it). */
  lastInboundId(): string | null;
  /** Any platform activity (for `lastTransportActivityAt`). */
  activity(): void;
}

/** One account's platform I/O. Created lazily by its definition when the account starts. */
export interface ChannelAccountAdapter {
  /** Starts connecting (poll loop, socket). Reports through the host; never throws. */
  open(): void;
  /** Stops connecting; resolves once no poll/socket is left. Safe to call twice. */
  close(): Promise<void>;
  sendText(message: OutboundText): Promise<SentMessage>;
  sendMedia?(media: OutboundMedia): Promise<SentMessage>;
  /** Shows "typing…" (Telegram `sendChatAction`, WhatsApp presence `composing`). */
  sendTyping?(target: ChannelTarget): Promise<void>;
  /** Replaces the text of a sent message (partial streaming previews). */
  editText?(target: ChannelTarget, messageId: string, text: string): Promise<void>;
  /** Asks the platform who we are (Telegram `getMe`): the status `probe` object. */
  probe?(timeoutMs: number): Promise<Record<string, unknown>>;
  /** Extra fields of the account's status (mode, bot, linked, self…). */
  snapshot(): Record<string, unknown>;
}

/** The result of a channel's logout, merged into the `channels.logout` answer. */
export interface LogoutOutcome {
  readonly cleared: boolean;
  readonly loggedOut?: boolean;
  readonly [key: string]: unknown;
}

/** What a definition may use besides the account. */
export interface DefinitionContext {
  readonly stateDir: string;
  readonly configPath: string;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The credential a config value stands for (plaintext, `${NAME}`, a SecretRef object), read from
   * the gateway's secrets snapshot; `path` is its dotted config path. Absent: plaintext only.
   */
  readonly secret?: (raw: unknown, path: string) => string | undefined;
}

/** Why a `send` cannot go out (maps to the official error of CHANNELS.md §3.3). */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'unavailable' | 'not-linked',
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ChannelSendError';
  }
}

/** A channel kind: Telegram, WhatsApp. */
export interface ChannelDefinition {
  readonly id: string;
  readonly label: string;
  readonly detailLabel: string;
  readonly systemImage: string;
  readonly docsPath: string;
  /** Retry/block rules of its link. */
  readonly linkPolicy: LinkPolicy;
  /** `senderLabel` of its pairing requests (`telegramUserId`, `whatsappSenderId`). */
  readonly pairingSenderLabel: string;
  /** Whether an approval can be announced to the sender. */
  readonly notifySupported: boolean;
  /** How the user id is named in the pairing reply (`Your Telegram user id`). */
  readonly pairingIdLabel: string;
  /** True when the config has this channel's section (the channel is then started). */
  isConfigured(config: GatewayFileConfig): boolean;
  /** Its accounts, inheritance resolved; empty when the section is absent. */
  accounts(config: GatewayFileConfig, context: DefinitionContext): readonly ChannelAccountConfig[];
  /** The default account id (`defaultAccount`, else `default`, else the first sorted id). */
  defaultAccountId(config: GatewayFileConfig): string;
  /** Parses a `to` (prefixes already stripped); throws ChannelSendError when it cannot be one. */
  parseTarget(to: string): ChannelTarget;
  /** `to` prefixes that select this channel (`telegram:`, `tg:`). */
  readonly targetPrefixes: readonly string[];
  /** Why an account cannot send right now, when it is not running (missing token, not linked). */
  unavailableReason(account: ChannelAccountConfig | undefined, accountId: string): ChannelSendError;
  /** Loads (lazily: `await import(...)`) and creates the adapter of one account. */
  createAdapter(host: AdapterHost): Promise<ChannelAccountAdapter>;
  /** Clears the account's credentials (the account is stopped first). */
  logout(account: ChannelAccountConfig, context: DefinitionContext): Promise<LogoutOutcome>;
  /** Why a configured, enabled account cannot start now (`channels.start` outcome reason; WhatsApp: `unlinked`). */
  startBlocker?(account: ChannelAccountConfig): string | undefined;
  /** Status fields of an account whose adapter is not loaded (e.g. WhatsApp `linked:false`). */
  idleSnapshot?(account: ChannelAccountConfig): Record<string, unknown>;
  /** The channel summary in `channels.status.channels.<id>` from the default account's snapshot (default: common keys). */
  summary?(snapshot: Record<string, unknown>): Record<string, unknown>;
  /** Extra status issues of an account (WhatsApp: not linked). */
  statusIssues?(account: ChannelAccountConfig, snapshot: Record<string, unknown>): StatusIssue[];
}

/** A `channels.status` issue (closed shape, at most 50 per answer). */
export interface StatusIssue {
  readonly channel: string;
  readonly accountId: string;
  readonly kind: 'intent' | 'permissions' | 'config' | 'auth' | 'runtime';
  readonly message: string;
  readonly fix?: string;
}
