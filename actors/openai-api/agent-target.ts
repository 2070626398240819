import { randomUUID } from 'node:crypto';
import type { OpenAiModel } from '../../protocol/http/openai.js';
import { header } from './io.js';

/**
 * Which agent and session an OpenAI-compatible request runs in (PROTOCOL.md §9.3): the model
 * names an agent (`openclaw`, `openclaw/default`, `openclaw/<id>`, `openclaw:<id>`, `agent:<id>`),
 * `x-openclaw-agent-id` overrides it, `x-openclaw-session-key` or the OpenAI `user` picks the session.
 */

export const INVALID_MODEL_MESSAGE = 'Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.';
const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const MODEL_AGENT = /^(?:openclaw[:/]|agent:)([a-z0-9][a-z0-9_-]{0,63})$/i;
const RESERVED_SESSION_PREFIXES = ['subagent:', 'cron:', 'acp:'];

/** The agents a request may target. */
export interface AgentRoster {
  readonly defaultId: string;
  readonly ids: readonly string[];
}

/** The target of a request, or why it has none (400 `invalid_request_error` with `message`). */
export type TargetResult =
  | { readonly ok: true; readonly agentId: string; readonly sessionKey: string }
  | { readonly ok: false; readonly message: string };

/** The agent a model id names: `default`, an agent id (lower case), or null when the id is not ours. */
export function agentOfModel(model: string): 'default' | string | null {
  const raw = model.trim();
  const lowered = raw.toLowerCase();
  if (lowered === 'openclaw' || lowered === 'openclaw/default') return 'default';
  const match = MODEL_AGENT.exec(raw);
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** `GET /v1/models`: `openclaw`, `openclaw/default`, then `openclaw/<agentId>` per agent. */
export function modelsOf(roster: AgentRoster): OpenAiModel[] {
  const ids = ['openclaw', 'openclaw/default', ...roster.ids.map((id) => `openclaw/${id}`)];
  return [...new Set(ids)].map((id) => ({ id, object: 'model', created: 0, owned_by: 'openclaw', permission: [] }));
}

/**
 * Resolves agent and session for a request. `prefix` names the API in generated session keys
 * (`openai`, `openresponses`): a `user` gives `agent:<id>:<prefix>-user:<user>` (stable across
 * requests); without one every request gets a fresh session.
 */
export function resolveTarget(
  request: Request,
  input: { model: string | undefined; user: string | undefined; prefix: string; sessionKey?: string | undefined },
  roster: AgentRoster,
): TargetResult {
  const model = input.model?.trim();
  const fromModel = model ? agentOfModel(model) : 'default';
  if (fromModel === null) return { ok: false, message: INVALID_MODEL_MESSAGE };
  const fromHeader = header(request, 'x-openclaw-agent-id') ?? header(request, 'x-openclaw-agent');
  if (fromHeader !== undefined && !AGENT_ID.test(fromHeader)) return { ok: false, message: `Unknown agent '${fromHeader}'.` };
  const wanted = fromHeader?.toLowerCase() ?? (fromModel === 'default' ? roster.defaultId : fromModel);
  if (!roster.ids.includes(wanted)) return { ok: false, message: `Unknown agent '${wanted}'.` };
  const explicit = header(request, 'x-openclaw-session-key') ?? input.sessionKey;
  if (explicit !== undefined) {
    const lowered = explicit.toLowerCase();
    const inner = lowered.startsWith('agent:') ? lowered.split(':').slice(2).join(':') : lowered;
    if (RESERVED_SESSION_PREFIXES.some((p) => lowered.startsWith(p) || inner.startsWith(p))) {
      return { ok: false, message: '`x-openclaw-session-key` cannot use reserved internal session namespaces.' };
    }
    return { ok: true, agentId: wanted, sessionKey: explicit.startsWith('agent:') ? explicit : `agent:${wanted}:${explicit}` };
  }
  const user = input.user?.trim();
  const mainKey = user ? `${input.prefix}-user:${user}` : `${input.prefix}:${randomUUID()}`;
  return { ok: true, agentId: wanted, sessionKey: `agent:${wanted}:${mainKey}` };
}
