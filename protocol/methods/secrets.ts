import { Type, type Static } from '@sinclair/typebox';

/** `secrets.reload` params: none. */
export const SecretsReloadParams = Type.Object({}, { additionalProperties: false });
export type SecretsReloadParams = Static<typeof SecretsReloadParams>;
/** `secrets.reload` result, as the official gateway answers. */
export const SecretsReloadResult = Type.Object({ ok: Type.Literal(true), warningCount: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type SecretsReloadResult = Static<typeof SecretsReloadResult>;
