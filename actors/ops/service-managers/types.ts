import type { ServiceManagerKind, ServiceRuntime } from '../../../protocol/cli/service.js';
import type { CommandRunner } from './exec.js';
import type { ServiceFile, ServiceSpec } from './spec.js';

/** What the supervisor knows about a service. */
export interface ServiceInspection {
  /** Known to the supervisor; null when it cannot be asked (tool missing, no session bus). */
  readonly loaded: boolean | null;
  /** Starts at boot/login; null when unknown. */
  readonly enabled: boolean | null;
  readonly runtime: ServiceRuntime;
}

/** The command line and environment an installed definition starts the gateway with. */
export interface InstalledCommand {
  readonly programArguments: string[];
  readonly workingDirectory?: string;
  readonly environment: Record<string, string>;
}

/**
 * One supervisor (systemd, launchd, schtasks): the files it needs and the commands that load,
 * start, stop and inspect a service. The generic flows (install, uninstall) live in
 * lifecycle.ts; a manager only knows its own commands.
 */
export interface ServiceManager {
  readonly kind: ServiceManagerKind;
  /** Shown in status: what `loaded` means for this supervisor. */
  readonly loadedText: string;
  readonly notLoadedText: string;
  /** Every file of the service, definition first. */
  files(spec: ServiceSpec): ServiceFile[];
  /** Reads the command out of an installed definition (or script) text. */
  parseDefinition(files: ReadonlyMap<string, string>, spec: ServiceSpec): InstalledCommand | null;
  /**
   * After the files are written: register and start (`fresh`), or reload and restart (`replace`).
   * Resolves with a note when it had to register differently (the Windows Startup-folder fallback).
   */
  activate(run: CommandRunner, spec: ServiceSpec, mode: 'fresh' | 'replace'): Promise<string | void>;
  /** Before the files are removed: stop and unregister (tolerates "not loaded"). */
  deactivate(run: CommandRunner, spec: ServiceSpec): Promise<void>;
  /** After the files are removed (systemd: daemon-reload). */
  afterRemove(run: CommandRunner, spec: ServiceSpec): Promise<void>;
  start(run: CommandRunner, spec: ServiceSpec): Promise<void>;
  stop(run: CommandRunner, spec: ServiceSpec): Promise<void>;
  /** Stops and persistently suppresses auto-start (`gateway stop --disable`); `start` undoes it. */
  disable(run: CommandRunner, spec: ServiceSpec): Promise<void>;
  restart(run: CommandRunner, spec: ServiceSpec): Promise<void>;
  inspect(run: CommandRunner, spec: ServiceSpec): Promise<ServiceInspection>;
  /** Recent output lines of the service (journal, log files), oldest first. */
  recentLogLines(run: CommandRunner, spec: ServiceSpec): Promise<string[]>;
  /** Advice after install (systemd: lingering). */
  installHints(run: CommandRunner, spec: ServiceSpec): Promise<string[]>;
}
