import type { AgentsListResult } from '../../../protocol/methods/agents.js';
import type { MethodHandler } from './context.js';

/** `agents.list`: configured agents and the session defaults. */
export const agentsList: MethodHandler = ({ services }): AgentsListResult => ({
  defaultId: services.defaultAgentId,
  mainKey: 'main',
  scope: 'per-sender',
  agents: services.agents.map((agent) => ({
    id: agent.id,
    ...(agent.name ? { name: agent.name } : {}),
    workspace: agent.workspace,
    // `offline/…` when no model provider is configured: the built-in offline provider answers.
    ...(agent.model ? { model: { primary: agent.model } } : {}),
  })),
});
