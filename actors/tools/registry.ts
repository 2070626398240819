import type { ValidateFunction } from 'ajv';
import { describeErrors, validatorFor } from '../../protocol/ajv.js';
import type { ToolResult } from '../../protocol/http/tools-invoke.js';
import type { GatewayServices } from '../gateway/methods/context.js';

/**
 * Gateway tools: one registry serves agent runs (offered to the model as functions) and
 * `POST /tools/invoke`. A tool validates nothing itself: the registry checks `args` against
 * its schema before `execute` runs.
 */

/** Who a tool runs for. */
export interface ToolContext {
  readonly agentId: string;
  /** Normalised session key (`agent:<id>:<key>`). */
  readonly sessionKey: string;
  readonly services: GatewayServices;
  readonly signal: AbortSignal;
  /** The run that called the tool; absent for `/tools/invoke`. */
  readonly runId?: string;
}

/** One tool. `parameters` is its JSON schema (a TypeBox schema is one), also what a model sees. */
export interface GatewayTool<TArgs = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  execute(args: TArgs, context: ToolContext): Promise<ToolResult> | ToolResult;
}

/** Bad arguments: the caller's mistake (HTTP 400), with a message saying which. */
export class ToolInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ToolInputError';
  }
}

/** How one invocation ended. */
export type ToolOutcome =
  | { readonly ok: true; readonly result: ToolResult }
  | { readonly ok: false; readonly reason: 'not-found' }
  | { readonly ok: false; readonly reason: 'invalid-args'; readonly message: string }
  | { readonly ok: false; readonly reason: 'failed'; readonly error: unknown };

/** Tools by name, each with its argument validator compiled once. */
export class ToolRegistry {
  private readonly tools = new Map<string, { tool: GatewayTool; validate: ValidateFunction }>();

  constructor(tools: readonly GatewayTool[] = []) {
    for (const tool of tools) this.register(tool);
  }

  /** Adds a tool; a second tool with the same name is a programming error. */
  register<TArgs>(tool: GatewayTool<TArgs>): void {
    if (this.tools.has(tool.name)) throw new TypeError(`tool ${tool.name} is already registered`);
    this.tools.set(tool.name, { tool: tool as unknown as GatewayTool, validate: validatorFor(tool.parameters) });
  }

  /** Every tool, in registration order. */
  list(): readonly GatewayTool[] {
    return [...this.tools.values()].map((entry) => entry.tool);
  }

  /** The tools as a model sees them: name, description and plain JSON-schema parameters. */
  specs(): Array<{ name: string; description: string; parameters: Record<string, unknown> }> {
    return this.list().map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: JSON.parse(JSON.stringify(tool.parameters)) as Record<string, unknown>,
    }));
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** Validates `args` and runs the tool; failures are values, never throws. */
  async invoke(name: string, args: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> {
    const entry = this.tools.get(name);
    if (!entry) return { ok: false, reason: 'not-found' };
    if (!entry.validate(args)) return { ok: false, reason: 'invalid-args', message: `invalid ${name} args: ${describeErrors(entry.validate.errors)}` };
    try {
      return { ok: true, result: await entry.tool.execute(args, context) };
    } catch (error) {
      if (error instanceof ToolInputError) return { ok: false, reason: 'invalid-args', message: error.message };
      return { ok: false, reason: 'failed', error };
    }
  }
}

/** Tools `POST /tools/invoke` refuses unless `gateway.tools.allow` lists them (PROTOCOL.md §9.4). */
export const DEFAULT_HTTP_TOOL_DENY: readonly string[] = [
  'exec', 'spawn', 'shell', 'fs_write', 'fs_delete', 'fs_move', 'apply_patch',
  'sessions_spawn', 'sessions_send', 'cron', 'gateway', 'nodes',
];

/** `gateway.tools.allow/deny`: deny wins; `allow` re-admits a default-denied tool. */
export interface ToolPolicy {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

/** True when HTTP callers may invoke `name` under `policy`. */
export function isToolAllowedOverHttp(name: string, policy: ToolPolicy): boolean {
  if (policy.deny?.includes(name)) return false;
  if (policy.allow?.includes(name)) return true;
  return !DEFAULT_HTTP_TOOL_DENY.includes(name);
}
