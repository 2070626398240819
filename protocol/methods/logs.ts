import { Type, type Static } from '@sinclair/typebox';

/** `logs.tail` params (PROTOCOL.md §5.12): a byte cursor into the file log, and bounds. */
export const LogsTailParams = Type.Object(
  {
    cursor: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
    maxBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type LogsTailParams = Static<typeof LogsTailParams>;

/**
 * `logs.tail` result. Without a cursor: the tail of the file (`truncated` when more existed).
 * With one: the lines after it; `reset:true` when it could not be continued (the file rotated, or
 * more than `maxBytes` were written since), with `skippedBytes` when the gap is known.
 */
export const LogsTailResult = Type.Object({
  file: Type.String(),
  cursor: Type.Integer({ minimum: 0 }),
  size: Type.Integer({ minimum: 0 }),
  lines: Type.Array(Type.String()),
  truncated: Type.Optional(Type.Boolean()),
  reset: Type.Optional(Type.Boolean()),
  skippedBytes: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type LogsTailResult = Static<typeof LogsTailResult>;

/**
 * One line of the file log: tslog's shape as the official gateway writes it (numbered message
 * args, `_meta`, `time`, `hostname`) plus flat `level`, `subsystem` and `message`, which is what
 * `openclaw logs` reads (CLI-FRAMES.md #13/#14).
 */
export const LogRecord = Type.Object({
  '0': Type.String(),
  '1': Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  _meta: Type.Object({
    name: Type.String(),
    parentNames: Type.Array(Type.String()),
    date: Type.String(),
    logLevelId: Type.Integer(),
    logLevelName: Type.String(),
    hostname: Type.String(),
  }),
  time: Type.String(),
  hostname: Type.String(),
  level: Type.String(),
  subsystem: Type.String(),
  message: Type.String(),
});
export type LogRecord = Static<typeof LogRecord>;
