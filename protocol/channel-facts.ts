import { Type } from '@sinclair/typebox';

/*
 * Facts of one channel account, in the stream `channel:<channel>:<accountId>`. The stream is the
 * account's durable ingress queue: an inbound message is `channel.inbound.received` before the
 * platform's offset moves or its message is acknowledged, and it stays open until a terminal
 * fact (`channel.inbound.answered` or `channel.inbound.ignored`) closes it. Every platform
 * delivery is `channel.delivery.sent` with the platform's message ids, so a restart resumes a
 * reply where it stopped and sends nothing twice.
 */

const Closed = { additionalProperties: false } as const;
const Str = Type.String();
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const Ids = Type.Array(Type.String());

/** Channel facts' payload schemas by fact type. */
export const ChannelFactPayloads = {
  /** The account's link changed state (machines/channel-link.ts). `by` says who stopped it. */
  'channel.link.changed': Type.Object(
    {
      state: Type.Union([Type.Literal('stopped'), Type.Literal('starting'), Type.Literal('connected'), Type.Literal('reconnecting'), Type.Literal('blocked')]),
      attempts: Type.Integer({ minimum: 0 }),
      error: NullableStr,
      code: NullableStr,
      retryInMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
      by: Type.Optional(Type.Union([Type.Literal('operator'), Type.Literal('config'), Type.Literal('gateway')])),
    },
    Closed,
  ),
  /** An inbound message, journaled before the platform is told it arrived. `id` is the platform's update/stanza id. */
  'channel.inbound.received': Type.Object(
    {
      id: Str,
      chatId: Str,
      chatType: Type.Union([Type.Literal('direct'), Type.Literal('group')]),
      senderId: Str,
      senderName: Type.Optional(Str),
      username: Type.Optional(Str),
      text: Str,
      messageId: Str,
      /** The bot was @-mentioned or replied to. */
      mentioned: Type.Boolean(),
      threadId: Type.Optional(Str),
      /** Platform timestamp, ms. */
      sentAt: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    Closed,
  ),
  /** Policy kept the message from the agent (not allowed, unmentioned in a group, pairing pending). Terminal. */
  'channel.inbound.ignored': Type.Object({ id: Str, reason: Str }, Closed),
  /** An agent turn for the message began (a retry after a crash gets a new run id). */
  'channel.turn.started': Type.Object({ id: Str, runId: Str, sessionKey: Str }, Closed),
  /** The reply to the message is delivered in full. Terminal. */
  'channel.inbound.answered': Type.Object({ id: Str, runId: Str, messageIds: Ids }, Closed),
  /** One platform message sent (a chunk of a reply, a pairing code, a notice), with its platform ids. */
  'channel.delivery.sent': Type.Object(
    {
      /** What it belongs to: `reply:<runId>`, `pairing:<requestId>`, `send:<idempotencyKey>`, `notice:<requestId>`. */
      key: Str,
      chatId: Str,
      messageIds: Ids,
      chunk: Type.Integer({ minimum: 0 }),
      chunks: Type.Integer({ minimum: 1 }),
    },
    Closed,
  ),
  /** A `send`/`message.action` finished: its result is the answer to every retry with the same key. */
  'channel.send.completed': Type.Object({ idempotencyKey: Str, result: Type.Record(Type.String(), Type.Unknown()) }, Closed),
  /** An unknown sender under dmPolicy `pairing` got a code (≤3 pending per account, 1 h). */
  'channel.pairing.requested': Type.Object(
    {
      requestId: Str,
      code: Str,
      senderId: Str,
      meta: Type.Record(Type.String(), Type.String()),
      createdAt: Type.Integer({ minimum: 0 }),
      expiresAt: Type.Integer({ minimum: 0 }),
    },
    Closed,
  ),
  /** The same sender wrote again while the request was pending. */
  'channel.pairing.seen': Type.Object({ requestId: Str, at: Type.Integer({ minimum: 0 }) }, Closed),
  /** An operator approved the sender: their DMs now reach the agent. */
  'channel.pairing.approved': Type.Object({ requestId: Str, senderId: Str }, Closed),
  /** An operator dismissed the request. */
  'channel.pairing.dismissed': Type.Object({ requestId: Str, senderId: Str }, Closed),
} as const;

/** The stream of one channel account. */
export const channelStream = (channel: string, accountId: string): string => `channel:${channel}:${accountId}`;
