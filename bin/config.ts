import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { readConfigFile, writeConfigFile } from '../actors/config/file.js';
import type { GatewayFileConfig } from '../protocol/config.js';

/** Where this profile keeps its state and config. */
export interface ProfilePaths {
  /** Profile name from `--profile`/`--dev` (OPENCLAW_PROFILE); undefined for the default one. */
  readonly profile?: string;
  readonly home: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly journalPath: string;
  /** Default agent workspace when the config names none. */
  readonly defaultWorkspace: string;
}

/** Exit code for invalid configuration (the official gateway uses 78, EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** A config problem, with the path of the offending key. */
export class ConfigError extends Error {
  constructor(message: string, readonly exitCode = EXIT_CONFIG) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** An environment variable, with empty and blank values treated as unset. */
export const envValue = (env: NodeJS.ProcessEnv, key: string): string | undefined => {
  const value = env[key]?.trim();
  return value ? value : undefined;
};

const expandHome = (path: string, home: string): string =>
  path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : isAbsolute(path) ? path : resolve(path);

/**
 * Resolves state dir, config path and default workspace from the environment: OPENCLAW_STATE_DIR,
 * OPENCLAW_CONFIG_PATH, OPENCLAW_PROFILE (`~/.openclaw-<profile>`), OPENCLAW_HOME (replaces $HOME),
 * OPENCLAW_WORKSPACE_DIR. A profile's workspace is `~/.openclaw/workspace-<profile>` (runbook).
 */
export function resolvePaths(env: NodeJS.ProcessEnv): ProfilePaths {
  const home = envValue(env, 'OPENCLAW_HOME') ?? envValue(env, 'HOME') ?? homedir();
  const rawProfile = envValue(env, 'OPENCLAW_PROFILE');
  const profile = rawProfile && rawProfile.toLowerCase() !== 'default' ? rawProfile : undefined;
  const explicitState = envValue(env, 'OPENCLAW_STATE_DIR');
  const stateDir = explicitState ? expandHome(explicitState, home) : join(home, profile ? `.openclaw-${profile}` : '.openclaw');
  const configPath = expandHome(envValue(env, 'OPENCLAW_CONFIG_PATH') ?? join(stateDir, 'openclaw.json'), home);
  const workspaceEnv = envValue(env, 'OPENCLAW_WORKSPACE_DIR');
  const defaultWorkspace = workspaceEnv
    ? expandHome(workspaceEnv, home)
    : profile
      ? join(home, '.openclaw', `workspace-${profile}`)
      : explicitState
        ? join(stateDir, 'workspace')
        : join(home, '.openclaw', 'workspace');
  return { ...(profile ? { profile } : {}), home, stateDir, configPath, journalPath: join(stateDir, 'journal.sqlite'), defaultWorkspace };
}

/** The agent workspace: `agents.defaults.workspace` (`~` expanded) or the profile default. */
export const resolveWorkspace = (paths: ProfilePaths, config: GatewayFileConfig): string => {
  const configured = config.agents?.defaults?.workspace;
  return configured ? expandHome(configured, paths.home) : paths.defaultWorkspace;
};

/** The JSONL file log: `logging.file` or `<state>/logs/gateway.log`. */
export const resolveLogFile = (paths: ProfilePaths, config: GatewayFileConfig): string => {
  const configured = config.logging?.file;
  return configured ? expandHome(configured, paths.home) : join(paths.stateDir, 'logs', 'gateway.log');
};

/** Reads and validates the config file; a missing file is `undefined`; a bad one a ConfigError. */
export function readConfig(configPath: string): GatewayFileConfig | undefined {
  const read = readConfigFile(configPath);
  if (read.kind === 'missing') return undefined;
  if (read.kind === 'invalid') throw new ConfigError(`invalid config ${configPath}: ${read.issue}`);
  return read.config;
}

/** A new random gateway token (48 hex chars). */
export const generateToken = (): string => randomBytes(24).toString('hex');

/**
 * The embedded default on first start: creates the state dir and a config with `gateway.mode`
 * local (file mode 0600). `first` is what this start runs with, from flags: the file records it,
 * so clients reading the config find the gateway (port, secret); without a secret a token is
 * generated. Returns the config, the hash of the file, whether it was created, and the token
 * when one was generated.
 */
export function ensureConfig(
  paths: ProfilePaths,
  first: FirstStart = {},
): { config: GatewayFileConfig; hash: string; created: boolean; createdToken?: string } {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  let createdToken: string | undefined;
  const created = readConfig(paths.configPath) === undefined;
  if (created) {
    if (!first.auth) createdToken = generateToken();
    writeConfigFile(paths.configPath, firstConfig(first, createdToken));
  }
  const read = readConfigFile(paths.configPath);
  if (read.kind !== 'ok') throw new ConfigError(`invalid config ${paths.configPath}: ${read.kind === 'invalid' ? read.issue : 'missing'}`);
  return { config: read.config, hash: read.hash, created, ...(createdToken ? { createdToken } : {}) };
}

/** The config a first start writes: `gateway.mode` local plus what `first` chose (a generated token otherwise). */
export function firstConfig(first: FirstStart, generatedToken?: string): GatewayFileConfig {
  const auth = first.auth ?? { mode: 'token' as const, ...(generatedToken ? { token: generatedToken } : {}) };
  const port = first.port === undefined ? 18789 : first.port;
  return {
    gateway: { mode: 'local', ...(port !== null ? { port } : {}), bind: first.bind ?? 'loopback', auth },
    ...(first.workspace ? { agents: { defaults: { workspace: first.workspace } } } : {}),
  };
}

/** What a first start writes beside `gateway.mode: "local"`: the values its flags chose. */
export interface FirstStart {
  /** The port to record; `null` records none (the environment chose it), undefined the default 18789. */
  readonly port?: number | null;
  readonly bind?: NonNullable<GatewayFileConfig['gateway']>['bind'];
  readonly auth?: NonNullable<NonNullable<GatewayFileConfig['gateway']>['auth']>;
  readonly workspace?: string;
}

/** What `openclaw setup` did. */
export interface SetupResult {
  readonly config: GatewayFileConfig;
  readonly created: { config: boolean; token: boolean; workspace: boolean };
  readonly workspace: string;
}

/**
 * `openclaw setup`: makes sure the state dir, a local-mode config with a token, a port and a
 * workspace exist. Idempotent: existing values are kept, only missing ones are filled in.
 */
export function setupProfile(paths: ProfilePaths, options: { port?: number; defaultPort: number; workspace?: string }): SetupResult {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const existing = readConfig(paths.configPath);
  const config: GatewayFileConfig = structuredClone(existing ?? {});
  const gateway = (config.gateway ??= {});
  gateway.mode ??= 'local';
  if (options.port !== undefined) gateway.port = options.port;
  gateway.port ??= options.defaultPort;
  gateway.bind ??= 'loopback';
  const auth = (gateway.auth ??= {});
  let createdToken = false;
  if (!auth.token && !auth.password && auth.mode !== 'none' && auth.mode !== 'trusted-proxy') {
    auth.mode ??= 'token';
    auth.token = generateToken();
    createdToken = true;
  }
  const agents = (config.agents ??= {});
  const defaults = (agents.defaults ??= {});
  if (options.workspace) defaults.workspace = expandHome(options.workspace, paths.home);
  defaults.workspace ??= paths.defaultWorkspace;
  const workspace = resolveWorkspace(paths, config);
  const workspaceCreated = mkdirSync(join(workspace, 'canvas'), { recursive: true }) !== undefined;
  // Rewrite only when something was filled in: a JSON5 file's comments survive a no-op setup.
  if (existing === undefined || JSON.stringify(existing) !== JSON.stringify(config)) writeConfigFile(paths.configPath, config);
  return { config, created: { config: existing === undefined, token: createdToken, workspace: workspaceCreated }, workspace };
}
