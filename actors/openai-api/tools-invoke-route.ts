import { isToolsInvokeRequest, type ToolsInvokeErrorType, type ToolsInvokeResponse } from '../../protocol/http/tools-invoke.js';
import { normalizeSessionKey } from '../gateway/methods/context.js';
import { isToolAllowedOverHttp } from '../tools/registry.js';
import type { HttpApiDeps } from './deps.js';
import { bodyFailure, json, readJsonBody } from './io.js';

/** Body limit of `/tools/invoke` (PROTOCOL.md §9.4). */
export const TOOLS_BODY_LIMIT = 2 * 1024 * 1024;

const failure = (status: number, type: ToolsInvokeErrorType, message: string): Response => {
  const body: ToolsInvokeResponse = { ok: false, error: { type, message } };
  return json(body, status);
};

/**
 * `POST /tools/invoke`: runs one registry tool for an HTTP caller. A tool that is unknown or
 * denied (`gateway.tools.deny`, the default deny list) is "not available" alike, so callers
 * cannot probe what is installed.
 */
export function toolsInvokeRoute(deps: HttpApiDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await readJsonBody(request, TOOLS_BODY_LIMIT);
    if (!body.ok) return bodyFailure(body.reason);
    if (!isToolsInvokeRequest(body.value)) {
      return failure(400, 'invalid_request', `invalid tools.invoke body: ${isToolsInvokeRequest.lastError()}`);
    }
    const params = body.value;
    const name = (params.name ?? params.tool ?? '').trim();
    if (!name) return failure(400, 'invalid_request', 'tools.invoke requires name');
    if (!deps.tools.has(name) || !isToolAllowedOverHttp(name, deps.toolPolicy())) {
      return failure(404, 'not_found', `Tool not available: ${name}`);
    }
    const roster = deps.runs().agentIds();
    const agentId = params.agentId?.trim().toLowerCase() || roster.defaultId;
    if (!roster.ids.includes(agentId)) return failure(400, 'invalid_request', `Unknown agent '${agentId}'.`);
    const sessionKey = normalizeSessionKey(params.sessionKey?.trim() || undefined, agentId);
    const outcome = await deps.tools.invoke(name, params.args ?? {}, { agentId, sessionKey, services: deps.services, signal: request.signal });
    if (outcome.ok) {
      const ok: ToolsInvokeResponse = { ok: true, result: outcome.result };
      return json(ok);
    }
    if (outcome.reason === 'invalid-args') return failure(400, 'invalid_request', outcome.message);
    if (outcome.reason === 'not-found') return failure(404, 'not_found', `Tool not available: ${name}`);
    deps.services.logger.error('tool failed', { tool: name, error: String(outcome.error) });
    return failure(500, 'tool_error', `Tool ${name} failed`);
  };
}
