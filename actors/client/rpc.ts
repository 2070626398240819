import { GatewayConnection } from './connection.js';

export { RpcError } from './connection.js';

/** One call: where, as whom, which method, and how long to wait. */
export interface RpcCallOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly method: string;
  /** Omitted params are sent as an absent field, as the official CLI does. */
  readonly params?: unknown;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  /** Skip an ack whose payload says `status:"accepted"` and wait for the final response. */
  readonly expectFinal?: boolean;
  readonly clientVersion: string;
}

/**
 * One short-lived RPC, as the official CLI makes it: open, wait for `connect.challenge`,
 * `connect`, one request, close. Resolves with the payload; rejects with an RpcError.
 */
export async function callGateway(options: RpcCallOptions): Promise<unknown> {
  const connection = await GatewayConnection.open({
    url: options.url,
    ...(options.token ? { token: options.token } : {}),
    ...(options.password ? { password: options.password } : {}),
    client: { id: 'cli', version: options.clientVersion, platform: process.platform, mode: 'cli' },
    scopes: options.scopes,
    timeoutMs: options.timeoutMs,
    timeoutMessage: `gateway did not answer ${options.method} within ${options.timeoutMs} ms (${options.url})`,
  });
  try {
    return await connection.request(options.method, options.params, { expectFinal: options.expectFinal === true });
  } finally {
    connection.terminate();
  }
}
