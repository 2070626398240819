import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { compile } from '../ajv.js';

/**
 * JSON printed by the service commands (`gateway install|uninstall|start|stop|restart --json`)
 * and the `service` block of `gateway status --json`. Not wire frames: a stable CLI contract
 * for scripts, kept close to the official key names (PROTOCOL.md §10.3–§10.4).
 */

/** `T | null`. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Which supervisor a platform uses. */
export const ServiceManagerKind = Type.Union([Type.Literal('systemd'), Type.Literal('launchd'), Type.Literal('schtasks')]);
export type ServiceManagerKind = Static<typeof ServiceManagerKind>;

/** Platforms with a service manager. */
export const ServicePlatform = Type.Union([Type.Literal('linux'), Type.Literal('darwin'), Type.Literal('win32')]);
export type ServicePlatform = Static<typeof ServicePlatform>;

/** A systemd user unit, or a system unit (`--system`). launchd and schtasks are always `user`. */
export const ServiceScope = Type.Union([Type.Literal('user'), Type.Literal('system')]);
export type ServiceScope = Static<typeof ServiceScope>;

/** What the supervisor says about the process right now. */
export const ServiceRuntime = Type.Object({
  status: Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('unknown')]),
  /** systemd ActiveState, launchd `state`, schtasks `Status`. */
  state: Type.Optional(Type.String()),
  subState: Type.Optional(Type.String()),
  pid: Type.Optional(Type.Integer()),
  lastExitStatus: Type.Optional(Type.Integer()),
  lastExitReason: Type.Optional(Type.String()),
  restarts: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Why the state is unknown (supervisor missing, command failed). */
  detail: Type.Optional(Type.String()),
});
export type ServiceRuntime = Static<typeof ServiceRuntime>;

/** One difference between the installed definition and the one `install` would write now. */
export const ServiceDrift = Type.Object({
  code: Type.Union([Type.Literal('port'), Type.Literal('command'), Type.Literal('environment'), Type.Literal('definition')]),
  message: Type.String(),
  installed: Type.Optional(Type.String()),
  expected: Type.Optional(Type.String()),
});
export type ServiceDrift = Static<typeof ServiceDrift>;

/** The `service` block of `gateway status --json`. */
export const ServiceSummary = Type.Object({
  manager: ServiceManagerKind,
  platform: ServicePlatform,
  scope: ServiceScope,
  /** Unit file name, LaunchAgent label or Scheduled Task name. */
  label: Type.String(),
  definitionPath: Type.String(),
  installed: Type.Boolean(),
  /** Known to the supervisor (systemd LoadState=loaded, launchctl print succeeds, task registered); null when it cannot be asked. */
  loaded: Nullable(Type.Boolean()),
  /** Starts at boot/login (systemd is-enabled); null when unknown. */
  enabled: Nullable(Type.Boolean()),
  loadedText: Type.String(),
  notLoadedText: Type.String(),
  command: Nullable(
    Type.Object({
      programArguments: Type.Array(Type.String()),
      workingDirectory: Type.Optional(Type.String()),
      /** Non-secret environment of the definition. */
      environment: Type.Record(Type.String(), Type.String()),
      /** Names of the variables kept in the owner-only env file (values never printed). */
      secretKeys: Type.Array(Type.String()),
      sourcePath: Type.String(),
    }),
  ),
  runtime: ServiceRuntime,
  configAudit: Type.Object({ ok: Type.Boolean(), issues: Type.Array(ServiceDrift) }),
});
export type ServiceSummary = Static<typeof ServiceSummary>;

/** One supervisor command the CLI ran, with how it ended. */
export const IssuedCommand = Type.Object({
  argv: Type.Array(Type.String()),
  code: Type.Integer(),
  stderr: Type.Optional(Type.String()),
});
export type IssuedCommand = Static<typeof IssuedCommand>;

/** `gateway install|uninstall|start|stop|restart --json`. */
export const ServiceActionResult = Type.Object({
  ok: Type.Boolean(),
  action: Type.Union([Type.Literal('install'), Type.Literal('uninstall'), Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')]),
  /** What happened: `installed`, `reinstalled`, `already-installed`, `removed`, `not-installed`, `started`, … */
  result: Type.String(),
  manager: ServiceManagerKind,
  scope: ServiceScope,
  label: Type.String(),
  definitionPath: Type.String(),
  files: Type.Array(Type.Object({ path: Type.String(), mode: Type.String() })),
  commands: Type.Array(IssuedCommand),
  drift: Type.Array(ServiceDrift),
  hints: Type.Array(Type.String()),
  message: Type.String(),
});
export type ServiceActionResult = Static<typeof ServiceActionResult>;
export const isServiceActionResult = compile(ServiceActionResult);

/** Another gateway-like service found by `gateway status --deep`. */
export const ExtraService = Type.Object({
  platform: ServicePlatform,
  scope: ServiceScope,
  label: Type.String(),
  path: Type.String(),
  /** Installed by `openclaw gateway install` for another profile (carries the service marker). */
  openclawProfileService: Type.Boolean(),
  /** Legacy name (`clawdbot-gateway`, `bot.molt.*`, `com.openclaw.*`) to clean up. */
  legacy: Type.Boolean(),
  /** A leftover: legacy, or its state dir / program no longer exists (`gateway status --deep`). */
  stale: Type.Optional(Type.Boolean()),
  staleReason: Type.Optional(Type.String()),
  /** Commands that stop and remove it, most specific first. */
  cleanup: Type.Optional(Type.Array(Type.String())),
});
export type ExtraService = Static<typeof ExtraService>;
