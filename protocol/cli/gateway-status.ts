import { Type, type Static } from '@sinclair/typebox';
import { compile } from '../ajv.js';
import { ExtraService, Nullable, ServiceSummary } from './service.js';

/**
 * `openclaw gateway status --json`: supervisor state and RPC reachability side by side. Keys
 * follow the official report (PROTOCOL.md §10.3) so scripts written for it keep working.
 */

/** How much a connection may do, from the scopes in `hello-ok.auth` (official classification). */
export const ProbeCapability = Type.Union([
  Type.Literal('admin_capable'),
  Type.Literal('write_capable'),
  Type.Literal('read_only'),
  Type.Literal('connected_no_operator_scope'),
  Type.Literal('pairing_pending'),
  Type.Literal('unknown'),
]);
export type ProbeCapability = Static<typeof ProbeCapability>;

/** `hello-ok.auth` as a probe saw it. */
export const ProbeAuth = Type.Object({
  role: Nullable(Type.String()),
  scopes: Type.Array(Type.String()),
  capability: ProbeCapability,
});
export type ProbeAuth = Static<typeof ProbeAuth>;

/** `hello-ok.server` as a probe saw it. */
export const ProbeServer = Type.Object({ version: Nullable(Type.String()), connId: Nullable(Type.String()) });
export type ProbeServer = Static<typeof ProbeServer>;

/** A WebSocket close as a probe saw it. */
export const ProbeClose = Type.Object({ code: Type.Integer(), reason: Type.String() });

/** The `rpc` block: connect-only (`kind:"connect"`) or connect + `status` (`kind:"read"`, `--require-rpc`). */
export const RpcProbe = Type.Object({
  ok: Type.Boolean(),
  kind: Type.Union([Type.Literal('connect'), Type.Literal('read')]),
  capability: ProbeCapability,
  auth: ProbeAuth,
  server: ProbeServer,
  version: Type.Optional(Nullable(Type.String())),
  url: Type.String(),
  connectLatencyMs: Nullable(Type.Integer({ minimum: 0 })),
  error: Type.Optional(Type.String()),
  close: Type.Optional(ProbeClose),
});
export type RpcProbe = Static<typeof RpcProbe>;

/** A process listening on the gateway port. */
export const PortListener = Type.Object({
  pid: Type.Optional(Type.Integer()),
  command: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  address: Type.Optional(Type.String()),
});
export type PortListener = Static<typeof PortListener>;

/** Who listens on a port (lsof, else ss, else a TCP connect). */
export const PortStatus = Type.Object({
  port: Type.Integer(),
  status: Type.Union([Type.Literal('busy'), Type.Literal('free'), Type.Literal('unknown')]),
  listeners: Type.Array(PortListener),
  hints: Type.Array(Type.String()),
  /** The tool that answered: `lsof`, `ss`, or `connect` (no process details). */
  source: Type.Union([Type.Literal('lsof'), Type.Literal('ss'), Type.Literal('connect')]),
});
export type PortStatus = Static<typeof PortStatus>;

/** A config file as the CLI sees it. */
export const ConfigFileSummary = Type.Object({
  path: Type.String(),
  exists: Type.Boolean(),
  valid: Type.Boolean(),
  error: Type.Optional(Type.String()),
});
export type ConfigFileSummary = Static<typeof ConfigFileSummary>;

/** `gateway status --json`. */
export const GatewayStatusReport = Type.Object({
  cli: Type.Object({ version: Type.String(), entrypoint: Type.String() }),
  profile: Nullable(Type.String()),
  stateDir: Type.String(),
  logFile: Nullable(Type.String()),
  service: ServiceSummary,
  config: Type.Object({ cli: ConfigFileSummary, daemon: ConfigFileSummary, mismatch: Type.Optional(Type.Boolean()) }),
  gateway: Type.Object({
    bindMode: Type.String(),
    bindHost: Type.String(),
    port: Type.Integer(),
    /** `cli` (--port), `service args` (the installed ExecStart), `env/config`. */
    portSource: Type.String(),
    probeUrl: Type.String(),
    probeNote: Type.Optional(Type.String()),
    controlUiLinks: Type.Object({ httpUrl: Type.String(), wsUrl: Type.String() }),
    version: Type.Optional(Nullable(Type.String())),
  }),
  port: PortStatus,
  lastError: Type.Optional(Type.String()),
  rpc: Type.Optional(RpcProbe),
  extraServices: Type.Array(ExtraService),
  warnings: Type.Array(Type.String()),
});
export type GatewayStatusReport = Static<typeof GatewayStatusReport>;
export const isGatewayStatusReport = compile(GatewayStatusReport);
