import type { ToolCall, ToolResult } from '../../machines/agent-run.js';
import { rosterOf } from '../../store/presence.js';
import { readTranscript } from '../../store/transcript.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import { sessionStream } from '../gateway/methods/context.js';
import { GATEWAY_TOOL_SPECS } from '../../protocol/gateway-tools.js';
import { parseArguments } from './providers/types.js';

/** What a tool call knows about the run that made it. */
export interface ToolContext {
  readonly runId: string;
  readonly sessionKey: string;
}

const MAX_RESULT_CHARS = 8000;
const DEFAULT_HISTORY = 20;

export { GATEWAY_TOOL_SPECS };

/** Runs gateway tools against the live services. */
export class GatewayTools {
  constructor(
    private readonly services: GatewayServices,
    private readonly activeRuns: () => number,
  ) {}

  /** Runs one call; unknown tools and bad arguments are error results the model can read. */
  run(call: ToolCall, context: ToolContext): ToolResult {
    const answer = (value: unknown, isError = false): ToolResult => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return { toolCallId: call.id, name: call.name, result: text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}…` : text, isError };
    };
    const args = parseArguments(call.arguments);
    switch (call.name) {
      case 'presence_roster':
        return answer(
          rosterOf(this.services.view().presence, this.services.now()).map((entry) => ({
            host: entry.host, mode: entry.mode, reason: entry.reason, platform: entry.platform, version: entry.version, text: entry.text, lastInputSeconds: entry.lastInputSeconds,
          })),
        );
      case 'gateway_status':
        return answer({
          version: this.services.version,
          uptimeMs: this.services.now() - this.services.startedAt,
          connections: this.services.connectionCount(),
          agents: this.services.agents.map((a) => ({ id: a.id, default: a.isDefault, ...(a.model ? { model: a.model } : {}) })),
          activeRuns: this.activeRuns(),
          transport: this.services.transportKind(),
        });
      case 'session_history': {
        const limit = typeof args.limit === 'number' && args.limit >= 1 ? Math.min(200, Math.floor(args.limit)) : DEFAULT_HISTORY;
        const transcript = readTranscript(this.services.journal, sessionStream(context.sessionKey), { keep: limit + 1 });
        const messages = transcript.messages.filter((m) => m.runId !== context.runId).slice(-limit);
        return answer({ sessionKey: context.sessionKey, messages: messages.map((m) => ({ role: m.role, text: m.text, ts: m.ts })) });
      }
      default:
        return answer(`unknown tool: ${call.name}`, true);
    }
  }
}
