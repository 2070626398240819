import type { ToolResult } from '../../protocol/http/tools-invoke.js';
import {
  AgentsListToolArgs, PresenceToolArgs, SessionsHistoryToolArgs, StatusToolArgs,
} from '../../protocol/tools.js';
import { rosterOf } from '../../store/presence.js';
import { normalizeSessionKey, sessionStream, type MethodContext } from '../methods/context.js';
import { status } from '../methods/system.js';
import type { GatewayTool, ToolContext, ToolRegistry } from './registry.js';

/**
 * Read-only tools over what the gateway already knows (presence, status, agents, a session's
 * journal). They reuse the method handlers, so a tool answers exactly what the RPC would.
 */

/** A result whose text is the JSON of `details` (models read the text, programs the details). */
export function jsonResult(details: unknown): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(details, null, 2) }], details };
}

/** The method context a tool runs a handler in: an operator with the read scope. */
const methodContext = (context: ToolContext): MethodContext => ({
  connId: `tool:${context.sessionKey}`,
  role: 'operator',
  scopes: ['operator.read'],
  services: context.services,
});

export const presenceTool: GatewayTool = {
  name: 'presence',
  description: 'Lists the clients and nodes connected to the gateway (the presence roster).',
  parameters: PresenceToolArgs,
  execute: (_args, { services }) => jsonResult({ entries: rosterOf(services.view().presence, services.now()) }),
};

export const statusTool: GatewayTool = {
  name: 'status',
  description: 'Summarises the gateway: version, uptime, transport, connections, journal position.',
  parameters: StatusToolArgs,
  execute: (_args, context) => jsonResult(status(methodContext(context), {})),
};

export const agentsListTool: GatewayTool = {
  name: 'agents_list',
  description: 'Lists the configured agents and which one is the default.',
  parameters: AgentsListToolArgs,
  execute: (_args, { services }) =>
    jsonResult({ defaultId: services.defaultAgentId, agents: services.agents.map((a) => ({ id: a.id, default: a.id === services.defaultAgentId })) }),
};

const HISTORY_LIMIT = 20;

export const sessionsHistoryTool: GatewayTool<{ sessionKey?: string; limit?: number }> = {
  name: 'sessions_history',
  description: "Returns the newest entries of a session's history (default: the current session), oldest first.",
  parameters: SessionsHistoryToolArgs,
  execute: (args, context) => {
    const sessionKey = args.sessionKey ? normalizeSessionKey(args.sessionKey, context.agentId) : context.sessionKey;
    const entries = context.services.journal
      .tail(args.limit ?? HISTORY_LIMIT, sessionStream(sessionKey))
      .map((e) => ({ seq: e.seq, position: e.position, ts: e.ts, type: e.type, data: e.data }));
    return jsonResult({ sessionKey, entries });
  },
};

/** Adds the read tools to `registry`, in the order they are offered; returns it. */
export function withReadTools(registry: ToolRegistry): ToolRegistry {
  registry.register(presenceTool);
  registry.register(statusTool);
  registry.register(agentsListTool);
  registry.register(sessionsHistoryTool);
  return registry;
}
