import { GATEWAY_TOOL_SPECS, GatewayTools } from '../agents/gateway-tools.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import { ToolInputError, ToolRegistry } from './registry.js';

/**
 * The tools agent runs offer their models (`GATEWAY_TOOL_SPECS`, run by `GatewayTools`) as a
 * registry, so `/tools/invoke` serves exactly the same tool set: `presence_roster`,
 * `gateway_status`, `session_history`. Their text answer is JSON; it is also parsed into `details`.
 */
export function agentToolRegistry(services: GatewayServices, activeRuns: () => number): ToolRegistry {
  const tools = new GatewayTools(services, activeRuns);
  const registry = new ToolRegistry();
  let calls = 0;
  for (const spec of GATEWAY_TOOL_SPECS) {
    registry.register({
      name: spec.name,
      description: spec.description,
      parameters: spec.parameters,
      execute: (args, context) => {
        calls += 1;
        const call = { id: `http_${calls}`, name: spec.name, arguments: JSON.stringify(args) };
        const answer = tools.run(call, { runId: context.runId ?? `http:${call.id}`, sessionKey: context.sessionKey });
        if (answer.isError) throw new ToolInputError(answer.result);
        return { content: [{ type: 'text', text: answer.result }], details: parsedOrText(answer.result) };
      },
    });
  }
  return registry;
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a truncated answer is no longer JSON: the text itself is the detail
  }
}
