import { Type, type Static } from '@sinclair/typebox';

/**
 * Arguments of the gateway's built-in tools, as a model (function calling) or `POST /tools/invoke`
 * passes them. Closed objects: a typo in an argument is an error, not a silent default.
 */

const Closed = { additionalProperties: false } as const;

/** `presence`: the connected clients and nodes. */
export const PresenceToolArgs = Type.Object({}, Closed);
export type PresenceToolArgs = Static<typeof PresenceToolArgs>;

/** `status`: the runtime summary (`openclaw status`). */
export const StatusToolArgs = Type.Object({}, Closed);
export type StatusToolArgs = Static<typeof StatusToolArgs>;

/** `agents_list`: the configured agents. */
export const AgentsListToolArgs = Type.Object({}, Closed);
export type AgentsListToolArgs = Static<typeof AgentsListToolArgs>;

/** `sessions_history`: the newest facts of a session (default: the caller's), oldest first. */
export const SessionsHistoryToolArgs = Type.Object(
  {
    sessionKey: Type.Optional(Type.String({ minLength: 1, description: 'Session key (`main`, `agent:<id>:<key>`); default: the current session' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'How many entries, newest last (default 20)' })),
  },
  Closed,
);
export type SessionsHistoryToolArgs = Static<typeof SessionsHistoryToolArgs>;
