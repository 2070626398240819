import { Type, type Static } from '@sinclair/typebox';
import { compile } from '../ajv.js';
import { Nullable } from './service.js';
import { ProbeAuth, ProbeCapability, ProbeClose, ProbeServer } from './gateway-status.js';

/**
 * `openclaw gateway probe --json`: every target (explicit URL, configured remote, local
 * loopback) probed with `health`, `status`, `system-presence` and `config.get`. Keys follow the
 * official report (PROTOCOL.md §10.3).
 */

export const ProbeTargetKind = Type.Union([Type.Literal('explicit'), Type.Literal('configRemote'), Type.Literal('localLoopback')]);
export type ProbeTargetKind = Static<typeof ProbeTargetKind>;

/** A problem worth telling the operator about, with the targets it concerns. */
export const ProbeWarning = Type.Object({
  code: Type.String(),
  message: Type.String(),
  targetIds: Type.Optional(Type.Array(Type.String())),
});
export type ProbeWarning = Static<typeof ProbeWarning>;

/** One probed target. */
export const ProbeTargetReport = Type.Object({
  id: Type.String(),
  kind: ProbeTargetKind,
  url: Type.String(),
  active: Type.Boolean(),
  tunnel: Type.Null(),
  connect: Type.Object({
    ok: Type.Boolean(),
    /** Every read call answered (a missing `config.get` is tolerated). */
    rpcOk: Type.Boolean(),
    /** Connected, but the read calls were refused for lack of `operator.read`. */
    scopeLimited: Type.Boolean(),
    latencyMs: Nullable(Type.Integer({ minimum: 0 })),
    error: Nullable(Type.String()),
    close: Nullable(ProbeClose),
  }),
  auth: ProbeAuth,
  server: ProbeServer,
  /** The gateway's own presence row (`reason:"self"`). */
  self: Nullable(Type.Record(Type.String(), Type.Unknown())),
  /** A short summary of `config.get` (null when the gateway has no such method). */
  config: Nullable(Type.Record(Type.String(), Type.Unknown())),
  health: Nullable(Type.Unknown()),
  summary: Nullable(Type.Unknown()),
  presence: Nullable(Type.Array(Type.Unknown())),
  /** Calls the gateway does not know (`config.get` on older gateways). */
  unsupported: Type.Array(Type.String()),
});
export type ProbeTargetReport = Static<typeof ProbeTargetReport>;

/** `gateway probe --json`. */
export const GatewayProbeReport = Type.Object({
  ok: Type.Boolean(),
  degraded: Type.Boolean(),
  capability: ProbeCapability,
  ts: Type.Integer(),
  durationMs: Type.Integer({ minimum: 0 }),
  timeoutMs: Type.Integer({ minimum: 0 }),
  primaryTargetId: Nullable(Type.String()),
  warnings: Type.Array(ProbeWarning),
  network: Type.Object({ localLoopbackUrl: Type.String() }),
  targets: Type.Array(ProbeTargetReport),
});
export type GatewayProbeReport = Static<typeof GatewayProbeReport>;
export const isGatewayProbeReport = compile(GatewayProbeReport);
