import { Type, type Static } from '@sinclair/typebox';
import { compile } from './ajv.js';

/** `{presence, health}` counters: counts of presence and health facts in the journal. */
export const StateVersion = Type.Object(
  { presence: Type.Integer({ minimum: 0 }), health: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type StateVersion = Static<typeof StateVersion>;

/** The error object of a failed response (PROTOCOL.md §3.1). */
export const ErrorShape = Type.Object(
  {
    code: Type.String({ minLength: 1 }),
    message: Type.String({ minLength: 1 }),
    details: Type.Optional(Type.Unknown()),
    retryable: Type.Optional(Type.Boolean()),
    retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type ErrorShape = Static<typeof ErrorShape>;

/** A client request. `params` may be absent: it then means `{}`. */
export const RequestFrame = Type.Object(
  {
    type: Type.Literal('req'),
    id: Type.String({ minLength: 1 }),
    method: Type.String({ minLength: 1 }),
    params: Type.Optional(Type.Unknown()),
    traceparent: Type.Optional(Type.String({ maxLength: 128 })),
    expectedProfileId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type RequestFrame = Static<typeof RequestFrame>;

/** A server response, matched to its request by `id`. */
export const ResponseFrame = Type.Object(
  {
    type: Type.Literal('res'),
    id: Type.String({ minLength: 1 }),
    ok: Type.Boolean(),
    payload: Type.Optional(Type.Unknown()),
    error: Type.Optional(ErrorShape),
  },
  { additionalProperties: false },
);
export type ResponseFrame = Static<typeof ResponseFrame>;

/** A server event. Broadcast events carry `seq` = their position in the journal's `gateway` stream. */
export const EventFrame = Type.Object(
  {
    type: Type.Literal('event'),
    event: Type.String({ minLength: 1 }),
    payload: Type.Optional(Type.Unknown()),
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    stateVersion: Type.Optional(StateVersion),
  },
  { additionalProperties: false },
);
export type EventFrame = Static<typeof EventFrame>;

export const isRequestFrame = compile(RequestFrame);
export const isResponseFrame = compile(ResponseFrame);
export const isEventFrame = compile(EventFrame);
