import { Type, type Static } from '@sinclair/typebox';
import { compile } from '../ajv.js';

/** `openclaw doctor --json`: local checks only, never a gateway connection. */

export const DoctorCheckId = Type.Union([
  Type.Literal('config'),
  Type.Literal('state-dir'),
  Type.Literal('config-permissions'),
  Type.Literal('token'),
  Type.Literal('service'),
  Type.Literal('service-env-file'),
  Type.Literal('legacy-service'),
  Type.Literal('port'),
]);
export type DoctorCheckId = Static<typeof DoctorCheckId>;

/** One audit: what was found, and whether `--fix` repaired it. */
export const DoctorCheck = Type.Object({
  id: DoctorCheckId,
  level: Type.Union([Type.Literal('ok'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
  message: Type.String(),
  /** `--fix` knows a safe repair. */
  fixable: Type.Boolean(),
  /** `--fix` ran and the repair succeeded. */
  fixed: Type.Boolean(),
  /** What the repair did, or why it could not. */
  fix: Type.Optional(Type.String()),
  details: Type.Optional(Type.Array(Type.String())),
});
export type DoctorCheck = Static<typeof DoctorCheck>;

/** `doctor --json`. `ok` is false while an error-level finding remains unfixed. */
export const DoctorReport = Type.Object({
  ok: Type.Boolean(),
  fixMode: Type.Boolean(),
  profile: Type.Union([Type.String(), Type.Null()]),
  stateDir: Type.String(),
  configPath: Type.String(),
  checks: Type.Array(DoctorCheck),
});
export type DoctorReport = Static<typeof DoctorReport>;
export const isDoctorReport = compile(DoctorReport);
