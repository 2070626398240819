import { Type, type Static, type TProperties } from '@sinclair/typebox';

/*
 * `channels.*` of `openclaw.json` (CHANNELS.md §2). Unlike the rest of the config, each channel
 * section is closed at its root, in `accounts.<id>` and in `groups.<id>`, as the official plugin
 * schemas are: a misspelt key is an error with its dotted path
 * (`channels.telegram.dmPolicyy: unknown key`), not a silently ignored setting.
 */

const Closed = { additionalProperties: false } as const;
const NonEmpty = Type.String({ minLength: 1 });
const Any = Type.Unknown();
const Bool = Type.Optional(Type.Boolean());
const Id = Type.Union([Type.String(), Type.Number()]);

/** Who may DM the bot. */
export const DmPolicy = Type.Union([Type.Literal('pairing'), Type.Literal('allowlist'), Type.Literal('open'), Type.Literal('disabled')]);
export type DmPolicy = Static<typeof DmPolicy>;
/** Which groups (and senders in them) reach the agent. */
export const GroupPolicy = Type.Union([Type.Literal('allowlist'), Type.Literal('open'), Type.Literal('disabled')]);
export type GroupPolicy = Static<typeof GroupPolicy>;
/** How a reply is shown while it is produced: `partial` edits a preview about once a second. */
export const StreamingMode = Type.Union([Type.Literal('off'), Type.Literal('partial'), Type.Literal('block'), Type.Literal('progress')]);
export type StreamingMode = Static<typeof StreamingMode>;

const ReplyToMode = Type.Union([Type.Literal('off'), Type.Literal('first'), Type.Literal('all'), Type.Literal('batched')]);
const ReactionLevel = Type.Union([Type.Literal('off'), Type.Literal('ack'), Type.Literal('minimal'), Type.Literal('extensive')]);

const Streaming = Type.Object(
  {
    mode: Type.Optional(StreamingMode),
    chunkMode: Type.Optional(Type.Union([Type.Literal('length'), Type.Literal('newline')])),
    preview: Type.Optional(Any),
    progress: Type.Optional(Any),
    block: Type.Optional(Any),
  },
  Closed,
);

/** A `{ source, provider, id }` secret reference (resolved elsewhere), or a literal. */
const Secret = Type.Union([NonEmpty, Type.Null(), Type.Object({}, { additionalProperties: true })]);

/** `groups.<chatId>` of a Telegram account. */
export const TelegramGroup = Type.Object(
  {
    requireMention: Bool,
    allowFrom: Type.Optional(Type.Array(Id)),
    systemPrompt: Type.Optional(Type.String()),
    skills: Type.Optional(Any),
    tools: Type.Optional(Any),
    toolsBySender: Type.Optional(Any),
    enabled: Bool,
    ingest: Type.Optional(Any),
    groupPolicy: Type.Optional(GroupPolicy),
    errorPolicy: Type.Optional(Any),
    disableAudioPreflight: Bool,
    topics: Type.Optional(Type.Record(Type.String(), Any)),
  },
  Closed,
);

/** Keys of a Telegram account (the channel root has them too, plus `accounts` and `defaultAccount`). */
const telegramAccountKeys = {
  enabled: Bool,
  name: Type.Optional(Type.String()),
  botToken: Type.Optional(Secret),
  tokenFile: Type.Optional(NonEmpty),
  dmPolicy: Type.Optional(DmPolicy),
  allowFrom: Type.Optional(Type.Array(Id)),
  groupPolicy: Type.Optional(GroupPolicy),
  groupAllowFrom: Type.Optional(Type.Array(Id)),
  groups: Type.Optional(Type.Record(Type.String(), TelegramGroup)),
  direct: Type.Optional(Type.Record(Type.String(), Any)),
  streaming: Type.Optional(Streaming),
  textChunkLimit: Type.Optional(Type.Integer({ minimum: 1 })),
  mediaMaxMb: Type.Optional(Type.Number({ minimum: 0 })),
  replyToMode: Type.Optional(ReplyToMode),
  historyLimit: Type.Optional(Type.Integer({ minimum: 0 })),
  dmHistoryLimit: Type.Optional(Type.Integer({ minimum: 0 })),
  dms: Type.Optional(Any),
  linkPreview: Bool,
  richMessages: Bool,
  responsePrefix: Type.Optional(Type.String()),
  markdown: Type.Optional(Any),
  /** Bot API root without `/bot<TOKEN>` (default https://api.telegram.org). */
  apiRoot: Type.Optional(NonEmpty),
  trustedLocalFileRoots: Type.Optional(Type.Array(Type.String())),
  proxy: Type.Optional(Type.String()),
  network: Type.Optional(Any),
  webhookUrl: Type.Optional(Type.String()),
  webhookSecret: Type.Optional(Secret),
  webhookPath: Type.Optional(Type.String()),
  webhookHost: Type.Optional(Type.String()),
  webhookPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  webhookCertPath: Type.Optional(Type.String()),
  actions: Type.Optional(Any),
  reactionNotifications: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('own'), Type.Literal('all')])),
  reactionLevel: Type.Optional(ReactionLevel),
  ackReaction: Type.Optional(Type.String()),
  errorPolicy: Type.Optional(Type.Union([Type.Literal('always'), Type.Literal('once'), Type.Literal('silent')])),
  silentErrorReplies: Bool,
  commands: Type.Optional(Any),
  customCommands: Type.Optional(Type.Array(Any)),
  joinIntro: Bool,
  execApprovals: Type.Optional(Any),
  threadBindings: Type.Optional(Any),
  capabilities: Type.Optional(Any),
  configWrites: Bool,
  healthMonitor: Type.Optional(Any),
  heartbeatVisibility: Type.Optional(Any),
  contextVisibility: Type.Optional(Any),
  mentionPatterns: Type.Optional(Type.Array(Type.String())),
  defaultTo: Type.Optional(Type.String()),
  autoTopicLabel: Type.Optional(Any),
} satisfies TProperties;

/**
 * A channel's account and section schemas: the section holds the keys of its default account at
 * its root, plus `accounts.<id>` (each a closed account) and `defaultAccount`.
 */
function channelSchemas<Keys extends TProperties>(accountKeys: Keys) {
  const Account = Type.Object(accountKeys, Closed);
  const Section = Type.Object({ ...accountKeys, accounts: Type.Optional(Type.Record(Type.String(), Account)), defaultAccount: Type.Optional(NonEmpty) }, Closed);
  return { Account, Section };
}

const telegram = channelSchemas(telegramAccountKeys);
/** `channels.telegram.accounts.<id>`. */
export const TelegramAccount = telegram.Account;
export type TelegramAccount = Static<typeof TelegramAccount>;
/** `channels.telegram`. */
export const TelegramSection = telegram.Section;
export type TelegramSection = Static<typeof TelegramSection>;

/** `groups.<jid>` of a WhatsApp account. */
export const WhatsAppGroup = Type.Object(
  { requireMention: Bool, systemPrompt: Type.Optional(Type.String()), tools: Type.Optional(Any), toolsBySender: Type.Optional(Any) },
  Closed,
);

const whatsappAccountKeys = {
  enabled: Bool,
  name: Type.Optional(Type.String()),
  /** Where Baileys' multi-file auth lives (default `<state>/credentials/whatsapp/<accountId>`). */
  authDir: Type.Optional(NonEmpty),
  dmPolicy: Type.Optional(DmPolicy),
  allowFrom: Type.Optional(Type.Array(Type.String())),
  groupPolicy: Type.Optional(GroupPolicy),
  groupAllowFrom: Type.Optional(Type.Array(Type.String())),
  groups: Type.Optional(Type.Record(Type.String(), WhatsAppGroup)),
  direct: Type.Optional(Type.Record(Type.String(), Any)),
  textChunkLimit: Type.Optional(Type.Integer({ minimum: 1 })),
  streaming: Type.Optional(Streaming),
  mediaMaxMb: Type.Optional(Type.Number({ minimum: 0 })),
  sendReadReceipts: Bool,
  selfChatMode: Bool,
  replyToMode: Type.Optional(ReplyToMode),
  reactionLevel: Type.Optional(ReactionLevel),
  historyLimit: Type.Optional(Type.Integer({ minimum: 0 })),
  actions: Type.Optional(Any),
  pluginHooks: Type.Optional(Any),
  configWrites: Bool,
  defaultTo: Type.Optional(Type.String()),
  dms: Type.Optional(Any),
  dmHistoryLimit: Type.Optional(Type.Integer({ minimum: 0 })),
  healthMonitor: Type.Optional(Any),
  heartbeatVisibility: Type.Optional(Any),
  responsePrefix: Type.Optional(Type.String()),
  contextVisibility: Type.Optional(Any),
  mentionPatterns: Type.Optional(Type.Array(Type.String())),
  capabilities: Type.Optional(Any),
  markdown: Type.Optional(Any),
} satisfies TProperties;

const whatsapp = channelSchemas(whatsappAccountKeys);
/** `channels.whatsapp.accounts.<id>`. */
export const WhatsAppAccount = whatsapp.Account;
export type WhatsAppAccount = Static<typeof WhatsAppAccount>;
/** `channels.whatsapp`. */
export const WhatsAppSection = whatsapp.Section;
export type WhatsAppSection = Static<typeof WhatsAppSection>;

/** `channels.*`: one section per channel plus shared defaults; other channel ids are kept as they are. */
export const ChannelsSection = Type.Object(
  {
    defaults: Type.Optional(Type.Object({ groupPolicy: Type.Optional(GroupPolicy) }, { additionalProperties: true })),
    telegram: Type.Optional(TelegramSection),
    whatsapp: Type.Optional(WhatsAppSection),
  },
  { additionalProperties: true },
);
export type ChannelsSection = Static<typeof ChannelsSection>;
