import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import JSON5 from 'json5';
import { isGatewayFileConfig, type GatewayFileConfig } from '../protocol/config.js';

/** Where this profile keeps its state and config. */
export interface ProfilePaths {
  readonly stateDir: string;
  readonly configPath: string;
  readonly journalPath: string;
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

/** Resolves state dir and config path from the environment (OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, OPENCLAW_HOME). */
export function resolvePaths(env: NodeJS.ProcessEnv): ProfilePaths {
  const home = env.OPENCLAW_HOME ?? env.HOME ?? homedir();
  const profile = env.OPENCLAW_PROFILE;
  const stateDir = env.OPENCLAW_STATE_DIR ?? join(home, profile && profile !== 'default' ? `.openclaw-${profile}` : '.openclaw');
  const configPath = env.OPENCLAW_CONFIG_PATH ?? join(stateDir, 'openclaw.json');
  return { stateDir, configPath, journalPath: join(stateDir, 'journal.sqlite') };
}

/** Reads and validates the config file; a missing file is `undefined`. */
export function readConfig(configPath: string): GatewayFileConfig | undefined {
  if (!existsSync(configPath)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON5.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new ConfigError(`invalid config ${configPath}: ${(error as Error).message}`);
  }
  if (!isGatewayFileConfig(parsed)) {
    throw new ConfigError(`invalid config ${configPath}: ${isGatewayFileConfig.lastError()}`);
  }
  return parsed;
}

/** A new random gateway token (48 hex chars). */
export const generateToken = (): string => randomBytes(24).toString('hex');

/**
 * The embedded default on first start: creates the state dir and a config with `gateway.mode`
 * local and a generated token (file mode 0600). Returns the config and the token when it was created.
 */
export function ensureConfig(paths: ProfilePaths): { config: GatewayFileConfig; createdToken?: string } {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const existing = readConfig(paths.configPath);
  if (existing) return { config: existing };
  const token = generateToken();
  const config: GatewayFileConfig = { gateway: { mode: 'local', port: 18789, bind: 'loopback', auth: { mode: 'token', token } } };
  mkdirSync(dirname(paths.configPath), { recursive: true, mode: 0o700 });
  writeFileSync(paths.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(paths.configPath, 0o600);
  return { config, createdToken: token };
}
