import { dirname, posix, win32 } from 'node:path';
import type { ServiceManagerKind, ServicePlatform, ServiceScope } from '../../../protocol/cli/service.js';

/**
 * What a gateway service is, independent of the supervisor: names per profile, the command line,
 * the environment, and where its files go. Pure: every input arrives as data from bin/, so the
 * renderers and tests see exactly what `gateway install` would write (PROTOCOL.md §11.5).
 */

/** Everything bin/ resolves from argv, env and config before a service command runs. */
export interface ServiceInputs {
  readonly platform: ServicePlatform;
  readonly scope: ServiceScope;
  /** Named profile (`--profile p` / OPENCLAW_PROFILE), or undefined for the default one. */
  readonly profile: string | undefined;
  /** The service user's home (WorkingDirectory, HOME, unit/plist locations). */
  readonly home: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly port: number;
  /** Absolute path of the node binary that runs the CLI now. */
  readonly nodePath: string;
  /** Absolute path of the CLI entry (the `bin/openclaw` launcher). */
  readonly entryPath: string;
  readonly version: string;
  /** Account the service runs as (`User=` of a system unit, the schtasks user). */
  readonly user: string;
  /** Numeric uid (launchd `gui/<uid>` domain). */
  readonly uid: number;
  /** Secrets for the owner-only env file (OPENCLAW_GATEWAY_TOKEN / _PASSWORD), when not in the config. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** A file a service consists of, with its mode and role. */
export interface ServiceFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  readonly mode: number;
  /** `definition` is what doctor audits for drift; `env` holds secrets (never printed). */
  readonly role: 'definition' | 'env' | 'wrapper' | 'script';
}

/** The supervisor-neutral description of one gateway service. */
export interface ServiceSpec {
  readonly platform: ServicePlatform;
  readonly manager: ServiceManagerKind;
  readonly scope: ServiceScope;
  readonly profile: string | undefined;
  /** `openclaw-gateway[-p].service`, `ai.openclaw.gateway|<p>`, `OpenClaw Gateway[ (p)]`. */
  readonly label: string;
  readonly description: string;
  readonly programArguments: readonly string[];
  readonly workingDirectory: string;
  /** Non-secret environment, in the order it is rendered. */
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly home: string;
  readonly stateDir: string;
  readonly port: number;
  readonly user: string;
  readonly uid: number;
}

const PROFILE_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The profile name to use in service names: undefined for the default profile. */
export function normalizeProfile(profile: string | undefined): string | undefined {
  const trimmed = profile?.trim();
  if (!trimmed || trimmed.toLowerCase() === 'default') return undefined;
  if (!PROFILE_PATTERN.test(trimmed)) throw new RangeError(`invalid profile name ${JSON.stringify(trimmed)}: use letters, digits, _ and -`);
  return trimmed;
}

/** The supervisor each platform uses. */
export const managerFor = (platform: ServicePlatform): ServiceManagerKind =>
  platform === 'darwin' ? 'launchd' : platform === 'win32' ? 'schtasks' : 'systemd';

/** Service name per platform and profile (PROTOCOL.md §11.5 table). */
export function serviceLabel(platform: ServicePlatform, profile: string | undefined): string {
  switch (platform) {
    case 'darwin':
      return profile ? `ai.openclaw.${profile}` : 'ai.openclaw.gateway';
    case 'win32':
      return profile ? `OpenClaw Gateway (${profile})` : 'OpenClaw Gateway';
    case 'linux':
      return profile ? `openclaw-gateway-${profile}.service` : 'openclaw-gateway.service';
  }
}

/** The env var that tells the gateway which supervisor entry it runs under. */
const LABEL_ENV: Record<ServicePlatform, string> = {
  linux: 'OPENCLAW_SYSTEMD_UNIT',
  darwin: 'OPENCLAW_LAUNCHD_LABEL',
  win32: 'OPENCLAW_WINDOWS_TASK_NAME',
};

/** Path helpers of the target platform (tests render Windows files on Linux). */
export const pathsFor = (platform: ServicePlatform) => (platform === 'win32' ? win32 : posix);

function minimalPath(platform: ServicePlatform, nodePath: string): string | undefined {
  if (platform === 'win32') return undefined; // the task inherits the user's PATH
  const dirs = [dirname(nodePath), ...(platform === 'darwin' ? ['/opt/homebrew/bin'] : []), '/usr/local/bin', '/usr/bin', '/bin'];
  return [...new Set(dirs)].join(':');
}

/**
 * Builds the spec `gateway install` renders. The version is in the description (seed form) and
 * in OPENCLAW_SERVICE_VERSION (the seed asks for it; today's product strips it).
 */
export function buildServiceSpec(inputs: ServiceInputs): ServiceSpec {
  const profile = normalizeProfile(inputs.profile);
  const label = serviceLabel(inputs.platform, profile);
  const description = profile ? `OpenClaw Gateway (profile: ${profile}, v${inputs.version})` : `OpenClaw Gateway (v${inputs.version})`;
  const path = minimalPath(inputs.platform, inputs.nodePath);
  const environment: Record<string, string> = {
    HOME: inputs.home,
    ...(path ? { PATH: path } : {}),
    OPENCLAW_STATE_DIR: inputs.stateDir,
    OPENCLAW_CONFIG_PATH: inputs.configPath,
    ...(profile ? { OPENCLAW_PROFILE: profile } : {}),
    OPENCLAW_GATEWAY_PORT: String(inputs.port),
    [LABEL_ENV[inputs.platform]]: label,
    OPENCLAW_SERVICE_MARKER: 'openclaw',
    OPENCLAW_SERVICE_KIND: 'gateway',
    OPENCLAW_SERVICE_VERSION: inputs.version,
  };
  return {
    platform: inputs.platform,
    manager: managerFor(inputs.platform),
    scope: inputs.platform === 'linux' ? inputs.scope : 'user',
    profile,
    label,
    description,
    programArguments: [inputs.nodePath, inputs.entryPath, 'gateway', '--port', String(inputs.port)],
    workingDirectory: inputs.home,
    environment,
    secrets: { ...inputs.secrets },
    home: inputs.home,
    stateDir: inputs.stateDir,
    port: inputs.port,
    user: inputs.user,
    uid: inputs.uid,
  };
}

/** Extracts `--port <n>` from a rendered command line or definition text. */
export function portFromText(text: string): number | undefined {
  const match = /--port(?:=|\s+|"\s*|<\/string>\s*<string>)"?(\d{1,5})\b/.exec(text);
  return match?.[1] ? Number(match[1]) : undefined;
}
