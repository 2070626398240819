import type { Hono } from 'hono';
import type { RunService } from '../agents/run-service.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import { rebuildActiveRuns } from '../../store/active-runs.js';
import { agentToolRegistry } from '../tools/agent-registry.js';
import type { ToolPolicy, ToolRegistry } from '../tools/registry.js';
import { chatCompletionsRoute } from './chat-completions-route.js';
import { embeddingsRoute } from './embeddings-route.js';
import type { EndpointSwitches, HttpApiDeps } from './deps.js';
import { isAuthorized, methodNotAllowed, notFound, openAiError, unauthorized } from './io.js';
import { listModelsRoute, retrieveModelRoute } from './models-routes.js';
import { responsesRoute } from './responses-route.js';
import { toolsInvokeRoute } from './tools-invoke-route.js';

/** How the HTTP API module is configured (resolved by bin/ from flags, env and config); auth is the gateway's own. */
export interface HttpApiOptions {
  /** `gateway.http.endpoints.{chatCompletions,responses}.enabled`, read per request. */
  readonly endpoints: () => EndpointSwitches;
  /** `gateway.tools.allow/deny`, read per request (default: the built-in deny list only). */
  readonly toolPolicy?: () => ToolPolicy;
  /** The agent-run seam (the run module's service). */
  readonly runs: () => RunService;
  /** Tools for `/tools/invoke` (default: the agent runs' gateway tools). */
  readonly tools?: (services: GatewayServices) => ToolRegistry;
}

/**
 * The OpenAI-compatible API (`/v1/*`, PROTOCOL.md §9.3) and `/tools/invoke` (§9.4) on the
 * gateway port. Each request passes, in order: switched on? (else plain 404, as if absent) →
 * method (405 + `Allow`) → bearer auth (401) → the route.
 */
export function httpApiModule(options: HttpApiOptions): GatewayModuleFactory {
  return (services) => {
    const deps: HttpApiDeps = {
      runs: options.runs,
      auth: () => services.auth(), // hot-reloaded with `gateway.auth.*`
      endpoints: options.endpoints,
      tools: options.tools?.(services) ?? agentToolRegistry(services, () => Object.keys(rebuildActiveRuns(services.journal).active).length),
      toolPolicy: options.toolPolicy ?? (() => ({})),
      services,
    };
    return { name: 'http-api', routes: (app) => installHttpApi(app, deps) };
  };
}

type Handler = (request: Request) => Promise<Response> | Response;

/** Adds the HTTP API routes to `app`. */
export function installHttpApi(app: Hono, deps: HttpApiDeps): void {
  const chat = () => deps.endpoints().chatCompletions;
  const responses = () => deps.endpoints().responses;
  const either = () => chat() || responses();
  const always = () => true;
  const route = (path: string, method: 'GET' | 'POST', enabled: () => boolean, handler: Handler) => {
    app.all(path, async (c) => {
      const request = c.req.raw;
      if (!enabled()) return notFound();
      if (request.method !== method) return methodNotAllowed(method);
      if (!isAuthorized(request, deps.auth())) return unauthorized();
      try {
        return await handler(request);
      } catch (error) {
        deps.services.logger.error('http api request failed', { path, error: String(error), cause: String((error as Error).cause ?? '') });
        return openAiError(500, 'internal error', 'api_error');
      }
    });
  };
  route('/v1/chat/completions', 'POST', chat, chatCompletionsRoute(deps));
  route('/v1/responses', 'POST', responses, responsesRoute(deps));
  route('/v1/models', 'GET', either, listModelsRoute(deps));
  route('/v1/models/*', 'GET', either, retrieveModelRoute(deps));
  route('/v1/embeddings', 'POST', either, embeddingsRoute(deps));
  route('/tools/invoke', 'POST', always, toolsInvokeRoute(deps));
}
