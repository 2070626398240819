import { homedir } from 'node:os';
import { join } from 'node:path';

/** The dev profile's gateway port (runbook: browser control = +2, canvas host = +4). */
export const DEV_GATEWAY_PORT = 19001;

/** The argv after global flags were taken out, and the environment variables they imply. */
export interface ProfileSelection {
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly error?: string;
}

const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;
const set = (env: NodeJS.ProcessEnv, key: string): boolean => (env[key]?.trim() ?? '') !== '';

/**
 * Global `--dev` and `--profile <name>` (before the subcommand): state `~/.openclaw-<name>`, config
 * inside it, `OPENCLAW_PROFILE`; `--dev` is profile `dev` with gateway port 19001. Variables the
 * caller already set win, as in the official CLI. `openclaw gateway --dev` (after the subcommand)
 * is left alone: it is the run flag, not the profile.
 */
export function selectProfile(argv: readonly string[], env: NodeJS.ProcessEnv): ProfileSelection {
  const args = [...argv];
  let profile: string | undefined;
  let dev = false;
  while (args.length > 0) {
    const head = args[0] as string;
    if (head === '--dev') {
      dev = true;
      args.shift();
    } else if (head === '--profile' || head.startsWith('--profile=')) {
      const value = head === '--profile' ? args[1] : head.slice('--profile='.length);
      args.splice(0, head === '--profile' ? 2 : 1);
      if (!value || !PROFILE_NAME.test(value)) return { args, env: {}, error: `invalid --profile ${value ?? ''}: use letters, digits, "_" or "-"` };
      profile = value;
    } else break;
  }
  if (dev && profile !== undefined && profile !== 'dev') return { args, env: {}, error: '--dev cannot be combined with --profile' };
  const name = dev ? 'dev' : profile;
  if (name === undefined) return { args, env: {} };
  const home = env.OPENCLAW_HOME?.trim() || env.HOME?.trim() || homedir();
  const updates: Record<string, string> = { OPENCLAW_PROFILE: name };
  const stateDir = set(env, 'OPENCLAW_STATE_DIR') ? (env.OPENCLAW_STATE_DIR as string) : join(home, name === 'default' ? '.openclaw' : `.openclaw-${name}`);
  if (!set(env, 'OPENCLAW_STATE_DIR')) updates.OPENCLAW_STATE_DIR = stateDir;
  if (!set(env, 'OPENCLAW_CONFIG_PATH')) updates.OPENCLAW_CONFIG_PATH = join(stateDir, 'openclaw.json');
  if (name === 'dev' && !set(env, 'OPENCLAW_GATEWAY_PORT')) updates.OPENCLAW_GATEWAY_PORT = String(DEV_GATEWAY_PORT);
  return { args, env: updates };
}
