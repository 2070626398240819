import type { ChatMessage } from '../../protocol/http/openai.js';
import type { ResponseInputItem } from '../../protocol/http/open-responses.js';

/**
 * Turns an OpenAI conversation into one agent turn: system/developer text becomes the extra
 * system prompt, the last user (or tool) entry is the message, earlier entries are quoted before it
 * as context. Clients resend the whole conversation each time, so this is the only history a
 * stateless request has.
 */

/** One turn of the conversation as the agent sees it. */
interface Entry {
  readonly role: 'user' | 'assistant' | 'tool';
  readonly sender: string;
  readonly body: string;
}

/** The agent turn a conversation asks for; `message` is empty when there is nothing to answer. */
export interface AgentPrompt {
  readonly message: string;
  readonly extraSystemPrompt?: string;
}

/** Text of a content value: a string, or the text parts (`text`, `input_text`, `output_text`) joined by newlines. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(part);
    else if (typeof part === 'object' && part !== null) {
      const { text } = part as { text?: unknown };
      if (typeof text === 'string') parts.push(text);
    }
  }
  return parts.join('\n');
}

/** The agent turn of a `/v1/chat/completions` `messages` list. */
export function promptOfChat(messages: readonly ChatMessage[]): AgentPrompt {
  const system: string[] = [];
  const entries: Entry[] = [];
  for (const message of messages) {
    const role = message.role.trim();
    const body = textOf(message.content).trim();
    if (!body) continue;
    if (role === 'system' || role === 'developer') system.push(body);
    else if (role === 'user') entries.push({ role: 'user', sender: 'User', body });
    else if (role === 'assistant') entries.push({ role: 'assistant', sender: 'Assistant', body });
    else if (role === 'tool' || role === 'function') entries.push({ role: 'tool', sender: message.name ? `Tool:${message.name}` : 'Tool', body });
  }
  return assemble(entries, system);
}

/** The agent turn of a `/v1/responses` `input` (plus `instructions`). */
export function promptOfResponseInput(input: string | readonly ResponseInputItem[], instructions?: string | null): AgentPrompt {
  const system: string[] = instructions?.trim() ? [instructions.trim()] : [];
  if (typeof input === 'string') return assemble(input.trim() ? [{ role: 'user', sender: 'User', body: input.trim() }] : [], system);
  const entries: Entry[] = [];
  for (const item of input) {
    const type = item.type ?? 'message';
    if (type === 'function_call_output') {
      const body = typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? null);
      entries.push({ role: 'tool', sender: 'Tool', body });
      continue;
    }
    if (type !== 'message') continue;
    const body = textOf(item.content).trim();
    if (!body) continue;
    if (item.role === 'system' || item.role === 'developer') system.push(body);
    else if (item.role === 'assistant') entries.push({ role: 'assistant', sender: 'Assistant', body });
    else entries.push({ role: 'user', sender: 'User', body });
  }
  return assemble(entries, system);
}

function assemble(entries: readonly Entry[], system: readonly string[]): AgentPrompt {
  const extra = system.length > 0 ? { extraSystemPrompt: system.join('\n\n') } : {};
  let current = -1;
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    if (entries[i]?.role !== 'assistant') {
      current = i;
      break;
    }
  }
  if (current < 0) current = entries.length - 1;
  const last = entries[current];
  if (!last) return { message: '', ...extra };
  if (current === 0) return { message: last.body, ...extra };
  const history = entries.slice(0, current).map((e) => `${e.sender}: ${e.body}`);
  const message = [
    '[Chat messages since your last reply - for context]',
    ...history,
    '',
    '[Current message - respond to this]',
    `${last.sender}: ${last.body}`,
  ].join('\n');
  return { message, ...extra };
}
