import type { AuthPolicy } from '../../machines/connection-rules.js';
import type { RunService } from '../agents/run-service.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import type { ToolPolicy, ToolRegistry } from '../tools/registry.js';

/** Which OpenAI-compatible endpoint families are on (`gateway.http.endpoints.*.enabled`). */
export interface EndpointSwitches {
  readonly chatCompletions: boolean;
  readonly responses: boolean;
}

/** What the HTTP API routes use; getters are read per request, so a config reload applies at once. */
export interface HttpApiDeps {
  /** The agent-run seam; resolved per request (the run module may start after the routes exist). */
  readonly runs: () => RunService;
  /** The shared secret policy, read per request (hot reload changes it). */
  readonly auth: () => AuthPolicy;
  readonly endpoints: () => EndpointSwitches;
  readonly tools: ToolRegistry;
  /** `gateway.tools.allow/deny` for `/tools/invoke`. */
  readonly toolPolicy: () => ToolPolicy;
  /** Logger, clock, journal and views (the tools read them). */
  readonly services: GatewayServices;
}
