import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { RunService } from '../agents/run-service.js';
import { secretsEqual } from '../../machines/connection-rules.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import { readJsonBody } from '../openai-api/io.js';
import { HookAuthThrottle } from './auth-throttle.js';
import { dispatchAgent, dispatchWake, type HookAnswer, type HookContext, type HookSettings } from './dispatch.js';
import { isTemplated, renderTemplate, type TemplateScope } from './templates.js';

/** Body limit of a hook request (256 KiB, the official default). */
const MAX_BODY_BYTES = 256 * 1024;
/** Journal stream of hook requests. */
export const HOOKS_STREAM = 'hooks';

const plain = (status: number, body: string, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

/** `Authorization: Bearer <token>` (non-empty wins) or `x-openclaw-token`. */
function hookToken(request: Request): string | undefined {
  const bearer = /^bearer\s+(.+)$/i.exec(request.headers.get('authorization')?.trim() ?? '')?.[1]?.trim();
  return bearer || request.headers.get('x-openclaw-token')?.trim() || undefined;
}

/** The replay key: `Idempotency-Key`, `X-OpenClaw-Idempotency-Key`, then the payload's (trimmed, ≤ 256 chars). */
function idempotencyKeyOf(request: Request, payload: Record<string, unknown>): string | undefined {
  for (const candidate of [request.headers.get('idempotency-key'), request.headers.get('x-openclaw-idempotency-key'), payload.idempotencyKey]) {
    const key = typeof candidate === 'string' ? candidate.trim() : '';
    if (key.length > 0 && key.length <= 256) return key;
  }
  return undefined;
}

/** What the hooks module needs: its settings (resolved by bin/) and the run service. */
export interface HooksOptions {
  readonly settings: HookSettings;
  readonly runs: () => RunService;
}

/**
 * Inbound hooks (`hooks.enabled`, default off: without the module the paths are a plain 404).
 * Per request, in the official order: `?token=` (400) → method (405 + `Allow: POST`) → token
 * (401; 20 failures a minute from one client → 429 + `Retry-After`) → sub-path (404 for the base
 * itself) → body (≤ 256 KiB: 413; JSON: 400) → `/wake`, `/agent` or the first matching mapping
 * (none: 404). Every authenticated request is one `hook.received` fact, before the answer.
 */
export function hooksModule(options: HooksOptions): GatewayModuleFactory {
  return (services) => {
    const { settings } = options;
    const throttle = new HookAuthThrottle();
    const logger = services.logger.child?.('hooks') ?? services.logger;

    const handle = async (request: Request, client: string): Promise<Response> => {
      const url = new URL(request.url);
      if (url.searchParams.has('token')) {
        return plain(400, 'Hook token must be provided via Authorization: Bearer <token> or X-OpenClaw-Token header (query parameters are not allowed).');
      }
      if (request.method !== 'POST') return plain(405, 'Method Not Allowed', { allow: 'POST' });
      const token = hookToken(request);
      const now = services.now();
      if (!token || !secretsEqual(token, settings.token)) {
        const wait = throttle.retryAfterMs(client, now);
        if (wait > 0) {
          logger.warn(`hook auth throttled for ${client}`, { retryAfterMs: wait });
          return plain(429, 'Too Many Requests', { 'retry-after': String(Math.ceil(wait / 1000)) });
        }
        throttle.recordFailure(client, now);
        return plain(401, 'Unauthorized');
      }
      throttle.reset(client);
      const subPath = url.pathname.slice(settings.basePath.length).replace(/^\/+|\/+$/g, '');
      if (!subPath) return plain(404, 'Not Found');
      const read = await readJsonBody(request, MAX_BODY_BYTES);
      let payload: Record<string, unknown> = {};
      if (!read.ok && read.reason === 'too-large') return json(413, { ok: false, error: 'payload too large' });
      if (read.ok) {
        if (read.value === null || typeof read.value !== 'object' || Array.isArray(read.value)) return json(400, { ok: false, error: 'payload must be a JSON object' });
        payload = read.value as Record<string, unknown>;
      } else if (request.headers.get('content-length') !== '0') return json(400, { ok: false, error: 'invalid JSON' });

      const path = `${settings.basePath}/${subPath}`;
      const context: HookContext = { settings, services, runs: options.runs, path };
      const idempotencyKey = idempotencyKeyOf(request, payload);
      let answer: HookAnswer;
      if (subPath === 'wake') answer = await dispatchWake(context, payload, true);
      else if (subPath === 'agent') answer = await dispatchAgent(context, payload, { keyFromCaller: true, ...(idempotencyKey ? { idempotencyKey } : {}) });
      else {
        const mapped = await dispatchMapping(context, subPath, payload, request, url, idempotencyKey);
        if (!mapped) return plain(404, 'Not Found');
        answer = mapped;
      }
      await services.journal.append(HOOKS_STREAM, [{ type: 'hook.received', data: { path, ...answer.fact } }]);
      logger.info(`hook ${path}: ${answer.status}${answer.fact.outcome ? ` ${answer.fact.outcome}` : ''}${answer.fact.error ? ` (${answer.fact.error})` : ''}`, answer.fact.runId ? { runId: answer.fact.runId } : {});
      return json(answer.status, answer.body);
    };

    return {
      name: 'hooks',
      routes: (app: Hono) => {
        const route = (c: { req: { raw: Request }; env: unknown }) => handle(c.req.raw, (c.env as { remoteAddress?: string } | undefined)?.remoteAddress ?? 'unknown');
        app.all(settings.basePath, route);
        app.all(`${settings.basePath}/*`, route);
      },
    };
  };
}

/** `POST <base>/<name>`: the first mapping whose `match.path`/`match.source` fit, rendered into a wake or agent action. */
async function dispatchMapping(
  context: HookContext,
  subPath: string,
  payload: Record<string, unknown>,
  request: Request,
  url: URL,
  idempotencyKey: string | undefined,
): Promise<HookAnswer | undefined> {
  const index = context.settings.mappings.findIndex(
    (m) => (m.match?.path === undefined || m.match.path.replace(/^\/+|\/+$/g, '') === subPath) && (m.match?.source === undefined || payload.source === m.match.source),
  );
  const mapping = context.settings.mappings[index];
  if (!mapping) return undefined;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const scope: TemplateScope = { payload, headers, query: Object.fromEntries(url.searchParams), path: subPath, now: new Date(context.services.now()).toISOString() };
  const mapped: HookContext = { ...context, mapping: mapping.id ?? `mapping-${index}` };
  const templatedKey = mapping.sessionKey !== undefined && isTemplated(mapping.sessionKey);
  const sessionKey = mapping.sessionKey === undefined ? undefined : renderTemplate(mapping.sessionKey, scope);
  if (templatedKey && !sessionKey?.trim()) return withMapping(mapped, { status: 400, body: { ok: false, error: 'hook mapping sessionKey template rendered empty' }, fact: { action: mapping.action ?? 'agent', status: 400, error: 'hook mapping sessionKey template rendered empty' } });
  const common = { agentId: mapping.agentId, ...(sessionKey !== undefined ? { sessionKey } : {}) };
  if (mapping.action === 'wake') {
    const answer = await dispatchWake(mapped, { ...common, text: renderTemplate(mapping.textTemplate ?? '', scope), mode: mapping.wakeMode ?? 'now' }, templatedKey);
    return withMapping(mapped, answer);
  }
  const body = {
    ...common,
    message: renderTemplate(mapping.messageTemplate ?? '', scope),
    sessionMode: mapping.sessionMode ?? 'isolated',
    ...(mapping.name !== undefined ? { name: renderTemplate(mapping.name, scope) } : {}),
    ...(mapping.model !== undefined ? { model: renderTemplate(mapping.model, scope) } : {}),
    ...(mapping.timeoutSeconds !== undefined ? { timeoutSeconds: mapping.timeoutSeconds } : {}),
  };
  // Without an explicit key, a mapped action's replay identity is the rendered action itself.
  const key = idempotencyKey ?? `mapped:${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}`;
  return withMapping(mapped, await dispatchAgent(mapped, body, { keyFromCaller: templatedKey, idempotencyKey: key }));
}

const withMapping = (context: HookContext, answer: HookAnswer): HookAnswer => ({ ...answer, fact: { ...answer.fact, ...(context.mapping ? { mapping: context.mapping } : {}) } });
