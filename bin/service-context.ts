import { realpathSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { buildServiceSpec, normalizeProfile, type ServiceSpec } from '../actors/ops/service-managers/spec.js';
import { createCommandRunner, type RecordingRunner } from '../actors/ops/service-managers/exec.js';
import { serviceManagerFor } from '../actors/ops/service-managers/index.js';
import type { ServiceManager } from '../actors/ops/service-managers/types.js';
import type { GatewayFileConfig } from '../protocol/config.js';
import type { ServicePlatform, ServiceScope } from '../protocol/cli/service.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { readConfig, resolvePaths, type ProfilePaths } from './config.js';
import { resolvePort } from './gateway-run-args.js';
import { CliFailure } from './target.js';

/**
 * Everything the service commands (install, status, doctor…) resolve from argv, env and config,
 * in one place: only bin/ reads the environment.
 */

/** The platform whose supervisor to drive. OPENCLAW_SERVICE_PLATFORM overrides it (tests, dry runs). */
export function resolvePlatform(env: NodeJS.ProcessEnv): ServicePlatform {
  const value = env.OPENCLAW_SERVICE_PLATFORM ?? process.platform;
  if (value === 'linux' || value === 'darwin' || value === 'win32') return value;
  throw new CliFailure('unsupported_platform', `no supported service manager on ${value} (systemd, launchd and Task Scheduler are supported)`);
}

/** The config as far as it can be read: invalid or missing files become an empty config plus the error. */
export function readConfigSafely(paths: ProfilePaths): { config: GatewayFileConfig; exists: boolean; error?: string } {
  try {
    const config = readConfig(paths.configPath);
    return { config: config ?? {}, exists: config !== undefined };
  } catch (error) {
    return { config: {}, exists: true, error: (error as Error).message };
  }
}

/** Resolved inputs of one service command. */
export interface ServiceContext {
  readonly env: NodeJS.ProcessEnv;
  readonly paths: ProfilePaths;
  readonly profile: string | undefined;
  readonly platform: ServicePlatform;
  readonly config: GatewayFileConfig;
  readonly configExists: boolean;
  readonly configError?: string;
  readonly port: number;
  /** Where the port came from: `cli` (--port) or `env/config`. */
  readonly portSource: 'cli' | 'env/config';
  readonly spec: ServiceSpec;
  readonly manager: ServiceManager;
  readonly runner: RecordingRunner;
}

/** The CLI entry a service should run: the launcher this process was started from. */
export function cliEntryPath(): string {
  const script = process.argv[1];
  if (!script) throw new CliFailure('invalid_arguments', 'cannot tell which CLI entry is running (process.argv[1] is empty)');
  return realpathSync(script);
}

/** Resolves the service context from flags, env and config (config errors tolerated: callers decide). */
export function resolveServiceContext(
  flags: { port?: string; token?: string; password?: string; system?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): ServiceContext {
  const paths = resolvePaths(env);
  const profile = normalizeProfile(env.OPENCLAW_PROFILE);
  const platform = resolvePlatform(env);
  const { config, exists, error } = readConfigSafely(paths);
  let port: number;
  try {
    port = resolvePort(flags.port, env, config);
  } catch (cause) {
    throw new CliFailure('invalid_arguments', (cause as Error).message);
  }
  const scope: ServiceScope = flags.system ? 'system' : 'user';
  if (scope === 'system' && platform !== 'linux') throw new CliFailure('invalid_arguments', '--system is only supported with systemd (Linux)');
  const token = flags.token ?? env.OPENCLAW_GATEWAY_TOKEN;
  const password = flags.password ?? env.OPENCLAW_GATEWAY_PASSWORD;
  const secrets: Record<string, string> = {
    ...(token ? { OPENCLAW_GATEWAY_TOKEN: token } : {}),
    ...(password ? { OPENCLAW_GATEWAY_PASSWORD: password } : {}),
  };
  const user = (scope === 'system' ? env.SUDO_USER : undefined) ?? env.USER ?? userInfo().username;
  const spec = buildServiceSpec({
    platform,
    scope,
    profile,
    home: env.HOME ?? env.USERPROFILE ?? homedir(),
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    port,
    nodePath: process.execPath,
    entryPath: cliEntryPath(),
    version: SERVER_VERSION,
    user,
    uid: process.getuid?.() ?? 0,
    secrets,
  });
  return {
    env,
    paths,
    profile,
    platform,
    config,
    configExists: exists,
    ...(error ? { configError: error } : {}),
    port,
    portSource: flags.port ? 'cli' : 'env/config',
    spec,
    manager: serviceManagerFor(platform),
    runner: createCommandRunner(env),
  };
}
