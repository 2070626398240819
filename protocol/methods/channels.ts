import { Type, type Static } from '@sinclair/typebox';

/* Channel methods (CHANNELS.md §3, PROTOCOL.md §5.5 and §5.13). Params are closed, as the official ones. */

const Closed = { additionalProperties: false } as const;
const NonEmpty = Type.String({ minLength: 1 });
const Open = Type.Record(Type.String(), Type.Unknown());

/** `channels.status`: every channel's accounts; `probe` asks each platform (Telegram `getMe`). */
export const ChannelsStatusParams = Type.Object(
  { probe: Type.Optional(Type.Boolean()), timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })), channel: Type.Optional(Type.String()) },
  Closed,
);
export type ChannelsStatusParams = Static<typeof ChannelsStatusParams>;
export const ChannelsStatusResult = Type.Object(
  {
    ts: Type.Integer(),
    channelOrder: Type.Array(Type.String()),
    channelLabels: Type.Record(Type.String(), Type.String()),
    channelDetailLabels: Type.Record(Type.String(), Type.String()),
    channelSystemImages: Type.Record(Type.String(), Type.String()),
    channelMeta: Type.Array(Open),
    channels: Open,
    channelAccounts: Type.Record(Type.String(), Type.Array(Open)),
    channelDefaultAccountId: Type.Record(Type.String(), Type.String()),
    statusIssues: Type.Optional(Type.Array(Open)),
  },
  { additionalProperties: true },
);

/** `channels.start` / `channels.stop` / `channels.logout`: one account (default: the channel's default account). */
export const ChannelAccountParams = Type.Object({ channel: NonEmpty, accountId: Type.Optional(NonEmpty) }, Closed);
export type ChannelAccountParams = Static<typeof ChannelAccountParams>;
export const ChannelsStartResult = Type.Object(
  { channel: Type.String(), accountId: Type.String(), started: Type.Boolean(), outcome: Open, statusIssues: Type.Optional(Type.Array(Open)) },
  { additionalProperties: true },
);
export const ChannelsStopResult = Type.Object({ channel: Type.String(), accountId: Type.String(), stopped: Type.Boolean() }, { additionalProperties: true });
export const ChannelsLogoutResult = Type.Object({ channel: Type.String(), accountId: Type.String(), cleared: Type.Boolean() }, { additionalProperties: true });

/** `send`: a direct outbound message (PROTOCOL.md §5.5). Text or media is required. */
export const SendParams = Type.Object(
  {
    to: NonEmpty,
    idempotencyKey: NonEmpty,
    message: Type.Optional(Type.String()),
    mediaUrl: Type.Optional(Type.String()),
    mediaUrls: Type.Optional(Type.Array(Type.String())),
    buffer: Type.Optional(Type.String()),
    filename: Type.Optional(Type.String()),
    contentType: Type.Optional(Type.String()),
    asVoice: Type.Optional(Type.Boolean()),
    gifPlayback: Type.Optional(Type.Boolean()),
    channel: Type.Optional(Type.String()),
    accountId: Type.Optional(Type.String()),
    agentId: Type.Optional(Type.String()),
    replyToId: Type.Optional(Type.String()),
    threadId: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    forceDocument: Type.Optional(Type.Boolean()),
    silent: Type.Optional(Type.Boolean()),
    parseMode: Type.Optional(Type.Literal('HTML')),
    sessionKey: Type.Optional(Type.String()),
  },
  Closed,
);
export type SendParams = Static<typeof SendParams>;
export const SendResult = Type.Object(
  { runId: Type.String(), messageId: Type.String(), channel: Type.String(), chatId: Type.Optional(Type.String()), toJid: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

/** `message.action`: what the official CLI sends for `message send --channel telegram` (action `send`). */
export const MessageActionParams = Type.Object(
  {
    channel: NonEmpty,
    action: NonEmpty,
    params: Open,
    idempotencyKey: NonEmpty,
    reply: Type.Optional(Type.Unknown()),
    accountId: Type.Optional(Type.String()),
    requesterAccountId: Type.Optional(Type.String()),
    requesterSenderId: Type.Optional(Type.String()),
    senderIsOwner: Type.Optional(Type.Boolean()),
    sessionKey: Type.Optional(Type.String()),
    sessionId: Type.Optional(Type.String()),
    inboundTurnKind: Type.Optional(Type.Union([Type.Literal('user_request'), Type.Literal('room_event')])),
    agentId: Type.Optional(Type.String()),
    toolContext: Type.Optional(Type.Unknown()),
    conversationReadOrigin: Type.Optional(Type.Literal('direct-operator')),
  },
  Closed,
);
export type MessageActionParams = Static<typeof MessageActionParams>;
export const MessageActionResult = Type.Object(
  { ok: Type.Boolean(), messageId: Type.Optional(Type.String()), chatId: Type.Optional(Type.String()), receipt: Type.Optional(Open) },
  { additionalProperties: true },
);

/** `channels.pairing.list`: pending DM pairing requests of accounts under dmPolicy `pairing`. */
export const PairingListParams = Type.Object({ channel: Type.Optional(Type.String()), accountId: Type.Optional(Type.String()) }, Closed);
export type PairingListParams = Static<typeof PairingListParams>;
export const PairingListResult = Type.Object(
  {
    accounts: Type.Array(Open),
    requests: Type.Array(Open),
    commandOwnerConfigured: Type.Boolean(),
    limits: Type.Object({ pendingPerAccount: Type.Integer(), ttlMs: Type.Integer() }),
  },
  { additionalProperties: true },
);

/** `channels.pairing.approve`: admits the sender by the opaque `requestId`; `notify` tells them. */
export const PairingApproveParams = Type.Object(
  {
    channel: NonEmpty,
    accountId: NonEmpty,
    requestId: NonEmpty,
    notify: Type.Optional(Type.Boolean()),
    bootstrapCommandOwner: Type.Optional(Type.Boolean()),
  },
  Closed,
);
export type PairingApproveParams = Static<typeof PairingApproveParams>;
export const PairingApproveResult = Type.Object(
  { requestId: Type.String(), senderId: Type.String(), notification: Type.String(), commandOwnerBootstrap: Type.String() },
  { additionalProperties: true },
);

/** `channels.pairing.dismiss`: drops a pending request. */
export const PairingDismissParams = Type.Object({ channel: NonEmpty, accountId: NonEmpty, requestId: NonEmpty }, Closed);
export type PairingDismissParams = Static<typeof PairingDismissParams>;
export const PairingDismissResult = Type.Object({ requestId: Type.String(), senderId: Type.String() }, { additionalProperties: true });
