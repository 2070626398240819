import { Type, type Static } from '@sinclair/typebox';

/** `config.get` params: none (the official probe sends `{}`). */
export const ConfigGetParams = Type.Object({}, { additionalProperties: false });

/**
 * `config.get`: the config file as the gateway reads it now, secrets replaced by
 * `__OPENCLAW_REDACTED__`. `hash` is the SHA-256 of the file's bytes (absent when there is no file);
 * an invalid file reports `valid:false`, an empty `config` and the problem in `issues`.
 */
export const ConfigGetResult = Type.Object({
  path: Type.String(),
  exists: Type.Boolean(),
  valid: Type.Boolean(),
  hash: Type.Optional(Type.String()),
  config: Type.Record(Type.String(), Type.Unknown()),
  issues: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
});
export type ConfigGetResult = Static<typeof ConfigGetResult>;
