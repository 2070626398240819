import type { GatewayFileConfig, ReloadMode } from '../protocol/config.js';

/*
 * Which config changes can be applied to a running gateway, and which need it restarted.
 * Pure: the reload machine calls these from its guards, tests call them directly.
 */

/** What reading `openclaw.json` found: nothing, a valid config, or one line saying what is wrong. */
export type ConfigRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly config: GatewayFileConfig; readonly hash: string }
  | { readonly kind: 'invalid'; readonly issue: string; readonly hash: string };

/** How a changed key takes effect: at once (`hot`), by a restart, or it changes nothing here. */
export type ChangeKind = 'hot' | 'restart' | 'none';

/**
 * First matching prefix wins. Hot: the auth secret (new connections use it, open ones stay),
 * logging, reload settings, restart permission. Restart: anything the listener or the services
 * were built from (port, bind, canvas host, journal, HTTP endpoints, agents). Unknown keys restart:
 * a key this gateway does not know may belong to a feature that reads it only at start.
 */
export const CHANGE_RULES: ReadonlyArray<readonly [string, ChangeKind]> = [
  ['gateway.reload', 'hot'],
  ['gateway.auth.rateLimit', 'restart'], // the limiter is built at start
  ['gateway.auth', 'hot'],
  ['gateway.mode', 'none'],
  ['gateway.remote', 'none'],
  ['logging', 'hot'],
  ['commands', 'hot'],
  ['channels', 'hot'],
  ['meta', 'none'],
  ['wizard', 'none'],
  ['gateway', 'restart'],
  ['canvasHost', 'restart'],
  ['agents', 'restart'],
];

/** The kind of one changed dotted path. */
export function changeKind(path: string): ChangeKind {
  for (const [prefix, kind] of CHANGE_RULES) if (path === prefix || path.startsWith(`${prefix}.`)) return kind;
  return 'restart';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Dotted paths whose values differ between `before` and `after` (leaves; arrays compared whole). */
export function diffConfig(before: unknown, after: unknown, prefix = ''): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffConfig(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix || '<root>'];
}

/** What to do with a changed config under a reload mode. */
export interface ReloadPlan {
  readonly action: 'hot' | 'restart' | 'none';
  /** Every changed path. */
  readonly changed: readonly string[];
  /** Restart-only changes not applied now (they take effect at the next restart). */
  readonly pending: readonly string[];
}

/** The reload mode a config asks for (default hybrid). */
export const reloadModeOf = (config: GatewayFileConfig): ReloadMode => config.gateway?.reload?.mode ?? 'hybrid';

/** Whether restart signals may restart the gateway (`commands.restart`, default true). */
export const restartAllowed = (config: GatewayFileConfig): boolean => config.commands?.restart !== false;

/**
 * off: nothing applies. hot: hot changes apply, restart ones wait. restart: any change restarts.
 * hybrid (default): hot changes apply in place; any restart-only change restarts.
 */
export function planReload(mode: ReloadMode, before: GatewayFileConfig, after: GatewayFileConfig): ReloadPlan {
  const changed = diffConfig(before, after);
  const hot = changed.filter((path) => changeKind(path) === 'hot');
  const restart = changed.filter((path) => changeKind(path) === 'restart');
  const effective = hot.length + restart.length > 0;
  switch (mode) {
    case 'off':
      return { action: 'none', changed, pending: [...hot, ...restart] };
    case 'hot':
      return { action: hot.length > 0 ? 'hot' : 'none', changed, pending: restart };
    case 'restart':
      return { action: effective ? 'restart' : 'none', changed, pending: [] };
    case 'hybrid':
      return { action: restart.length > 0 ? 'restart' : hot.length > 0 ? 'hot' : 'none', changed, pending: [] };
  }
}
