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
 * local and a generated token (file mode 0600). Returns the config, the hash of the file, and the
 * token when it was created.
 */
export function ensureConfig(paths: ProfilePaths): { config: GatewayFileConfig; hash: string; createdToken?: string } {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  let createdToken: string | undefined;
  if (readConfig(paths.configPath) === undefined) {
    createdToken = generateToken();
    writeConfigFile(paths.configPath, { gateway: { mode: 'local', port: 18789, bind: 'loopback', auth: { mode: 'token', token: createdToken } } });
  }
  const read = readConfigFile(paths.configPath);
  if (read.kind !== 'ok') throw new ConfigError(`invalid config ${paths.configPath}: ${read.kind === 'invalid' ? read.issue : 'missing'}`);
  return { config: read.config, hash: read.hash, ...(createdToken ? { createdToken } : {}) };
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
  if (!auth.token && !auth.password && auth.mode !== 'none') {
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
