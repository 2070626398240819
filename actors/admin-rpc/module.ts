import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { authorizeHttpCaller } from '../auth/http-caller.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import { readJsonBody } from '../openai-api/io.js';
import { ADMIN_RPC_METHODS, rpcHttpStatus } from './methods.js';

/** Route of the admin HTTP RPC (the official plugin's path). */
export const ADMIN_RPC_PATH = '/api/v1/admin/rpc';
/** Largest request body (the official default). */
const MAX_BODY_BYTES = 1024 * 1024;

const send = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8', ...headers } });

const invalid = (status: number, message: string): Response => send(status, { ok: false, error: { type: 'invalid_request', message } });

/**
 * `POST /api/v1/admin/rpc` (official plugin admin-http-rpc; registered only when
 * `plugins.entries["admin-http-rpc"].enabled`, so a plain 404 otherwise): `{id?, method, params?}`
 * → `{id, ok, payload | error}`, one allowlisted gateway method per request, through the same
 * routing (role, scope, params) and handlers as a WebSocket request. Order: method (405) → gateway
 * HTTP auth (401) → body (413/400) → allowlist (400) → dispatch (status by error code).
 */
export function adminRpcModule(): GatewayModuleFactory {
  return (services) => {
    const logger = services.logger.child?.('admin-rpc') ?? services.logger;
    const handle = async (request: Request, remoteAddress: string): Promise<Response> => {
      if (request.method !== 'POST') return send(405, { ok: false, error: { type: 'method_not_allowed', message: 'Method Not Allowed' } }, { allow: 'POST' });
      const caller = authorizeHttpCaller(request, remoteAddress, services.auth());
      if (!caller.ok) return send(401, { error: { message: 'Unauthorized', type: 'unauthorized' } });
      const body = await readJsonBody(request, MAX_BODY_BYTES);
      if (!body.ok) return body.reason === 'too-large' ? invalid(413, 'Payload Too Large') : invalid(400, 'request body must be valid JSON');
      const raw = body.value;
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return invalid(400, 'request body must be an object');
      const record = raw as Record<string, unknown>;
      if (typeof record.method !== 'string' || record.method.trim() === '') return invalid(400, 'method must be a non-empty string');
      const id = typeof record.id === 'string' && record.id.trim() !== '' ? record.id.trim() : randomUUID();
      const method = record.method.trim();
      if (!ADMIN_RPC_METHODS.has(method)) {
        return send(400, { id, ok: false, error: { code: 'INVALID_REQUEST', message: `admin HTTP RPC method is not supported: ${method}` } });
      }
      if (method === 'commands.list') return send(200, { id, ok: true, payload: { methods: [...ADMIN_RPC_METHODS] } });
      const connId = `http:${randomUUID()}`;
      const response = await services.dispatch({ connId, role: 'operator', scopes: caller.scopes }, { id, method, ...(Object.hasOwn(record, 'params') ? { params: record.params } : {}) });
      logger.info(`admin rpc ${method}: ${response.ok ? 'ok' : response.error?.code}`, { id, ...(caller.user ? { user: caller.user } : {}) });
      const answer = { id, ok: response.ok, ...(response.ok ? { payload: response.payload } : { error: response.error }) };
      return send(rpcHttpStatus(answer), answer);
    };
    return {
      name: 'admin-rpc',
      routes: (app: Hono) => {
        app.all(ADMIN_RPC_PATH, (c) => handle(c.req.raw, (c.env as { remoteAddress?: string } | undefined)?.remoteAddress ?? ''));
      },
    };
  };
}
