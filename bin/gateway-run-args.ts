import type { ArgsDef } from 'citty';
import type { GatewayFileConfig } from '../protocol/config.js';

/*
 * The flags and port rule of `openclaw gateway [run]`, apart from the daemon itself: the CLI's
 * client commands resolve the port too, and must not load the whole gateway to do it.
 */

export const DEFAULT_PORT = 18789;

/** Flags of `openclaw gateway [run]`. */
export const runArgs = {
  port: { type: 'string', description: 'Port (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)' },
  bind: { type: 'string', description: 'loopback (default) | lan | auto | custom' },
  token: { type: 'string', description: 'Shared token (default: OPENCLAW_GATEWAY_TOKEN, gateway.auth.token)' },
  password: { type: 'string', description: 'Shared password (switches auth to password)' },
  auth: { type: 'string', description: 'none | token | password | trusted-proxy' },
  verbose: { type: 'boolean', description: 'Log every frame to stdout' },
  force: { type: 'boolean', description: 'Stop whatever listens on the port first (needs lsof)' },
  'allow-unconfigured': { type: 'boolean', description: 'Start even when gateway.mode is not "local"' },
  dev: { type: 'boolean', description: 'Create a dev config + workspace (<workspace>-dev) if missing, then run (the official `gateway run --dev`)' },
} as const satisfies ArgsDef;

/** A start-up refusal: one clear line, then a non-zero exit. */
export class StartError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'StartError';
  }
}

export function parsePort(value: string | number | undefined, source: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartError(`invalid port from ${source}: ${value}`);
  return port;
}

/** Port precedence: --port > OPENCLAW_GATEWAY_PORT > gateway.port > 18789. */
export function resolvePort(flag: string | undefined, env: NodeJS.ProcessEnv, config: GatewayFileConfig): number {
  return (
    parsePort(flag, '--port') ??
    parsePort(env.OPENCLAW_GATEWAY_PORT, 'OPENCLAW_GATEWAY_PORT') ??
    parsePort(config.gateway?.port, 'gateway.port') ??
    DEFAULT_PORT
  );
}

