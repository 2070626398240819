import type { ArgsDef } from 'citty';
import { METHODS } from '../protocol/registry.js';
import { RpcError } from '../actors/client/rpc.js';
import { localSecret } from '../actors/secrets/local.js';
import { readConfig, resolvePaths } from './config.js';
import { resolvePort } from './gateway-run-args.js';

/** Connection flags shared by the commands that talk to a gateway. */
export const targetArgs = {
  url: { type: 'string', description: 'Gateway URL (ws://host:port); then no config/env credentials are used' },
  port: { type: 'string', description: 'Local loopback port (exclusive with --url)' },
  token: { type: 'string', description: 'Gateway token' },
  password: { type: 'string', description: 'Gateway password' },
  timeout: { type: 'string', description: 'Timeout in ms', default: '10000' },
  json: { type: 'boolean', description: 'Machine-readable output' },
} as const satisfies ArgsDef;

export interface TargetFlags {
  url?: string;
  port?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

/** Where to connect and with which secret. */
export interface Target {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly timeoutMs: number;
}

/** A failure printed by the CLI the way the official one prints it. */
export class CliFailure extends Error {
  constructor(readonly type: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** Resolves the target: --url (explicit credentials only) or the local gateway from env and config. */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): Target {
  const timeoutMs = Number(flags.timeout ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliFailure('invalid_arguments', `invalid --timeout ${flags.timeout}`);
  if (flags.url) {
    if (!flags.token && !flags.password) {
      throw new CliFailure('gateway_credentials_required', `--url needs --token or --password (no config or env credentials are used with an explicit URL)`);
    }
    return { url: flags.url, token: flags.token, password: flags.password, timeoutMs };
  }
  const config = readConfig(resolvePaths(env).configPath) ?? {};
  const port = resolvePort(flags.port, env, config);
  const url = env.OPENCLAW_GATEWAY_URL ?? `ws://127.0.0.1:${port}`;
  const token = flags.token ?? env.OPENCLAW_GATEWAY_TOKEN ?? localSecret(config, config.gateway?.auth?.token, 'gateway.auth.token', env);
  const password = flags.password ?? env.OPENCLAW_GATEWAY_PASSWORD ?? localSecret(config, config.gateway?.auth?.password, 'gateway.auth.password', env);
  return { url, ...(token ? { token } : {}), ...(password ? { password } : {}), timeoutMs };
}

/** Least privilege: the scope the method needs, admin for methods we do not know. */
export const scopesFor = (method: string): string[] => [METHODS.get(method)?.scope ?? 'operator.admin'];

/** Prints a failure (JSON on stdout with --json, one line on stderr otherwise) and exits 1. */
export function fail(error: unknown, json: boolean | undefined, prefix: string): never {
  let body: Record<string, unknown>;
  if (error instanceof RpcError && error.kind === 'rejected') {
    body = { type: 'gateway_request_error', code: error.error?.code, message: error.message, details: error.error?.details };
  } else if (error instanceof RpcError) {
    body = { type: 'gateway_transport_error', kind: error.kind, message: error.message };
  } else if (error instanceof CliFailure) {
    body = { type: error.type, message: error.message, ...error.extra };
  } else {
    body = { type: 'error', message: (error as Error).message ?? String(error) };
  }
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: body })}\n`);
  else process.stderr.write(`${prefix}: ${String(body.message)}\n`);
  process.exit(1);
}
