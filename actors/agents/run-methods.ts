import type { AgentParams, AgentWaitParams } from '../../protocol/methods/agent.js';
import type { ChatAbortParams, ChatHistoryParams, ChatHistoryResult, ChatMessage, ChatSendParams } from '../../protocol/methods/chat.js';
import { chatMessageOf, readTranscript } from '../../store/transcript.js';
import { sessionStream, type GatewayServices, type MethodHandler } from '../gateway/methods/context.js';
import { Reply, TwoStage } from '../gateway/methods/reply.js';
import type { AgentRunService } from './runs.js';
import { agentFinal, chatSendFinal, waitResult } from './final-reply.js';

/** Wire names of the methods the agent-runs module answers (each is in protocol/registry.ts). */
export const RUN_METHOD_NAMES = ['agent', 'agent.wait', 'chat.send', 'chat.history', 'chat.startup', 'chat.abort'] as const;

const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_HISTORY = 200;

const chatMessage = chatMessageOf;

/** The newest messages whose JSON fits in `maxBytes` (at least the newest one). */
function withinBytes(messages: ChatMessage[], maxBytes: number | undefined): ChatMessage[] {
  if (maxBytes === undefined) return messages;
  let total = 0;
  let from = messages.length;
  while (from > 0) {
    const size = Buffer.byteLength(JSON.stringify(messages[from - 1]));
    if (total + size > maxBytes && from < messages.length) break;
    total += size;
    from -= 1;
  }
  return messages.slice(from);
}

/** The `agent`, `agent.wait` and `chat.*` handlers over the run service. */
export function runMethods(runs: AgentRunService): Record<(typeof RUN_METHOD_NAMES)[number], MethodHandler> {
  return {
    /** Two stages: ack once `run.accepted` is journaled, final once the run's terminal fact is. */
    agent: async (_context, raw) => {
      const params = raw as AgentParams;
      const model = params.provider && params.model ? `${params.provider}/${params.model}` : (params.model || params.provider || undefined);
      const accepted = await runs.start({
        message: params.message,
        idempotencyKey: params.idempotencyKey,
        origin: 'ws',
        via: 'agent',
        ...(params.agentId ? { agentId: params.agentId } : {}),
        ...(params.sessionKey ? { sessionKey: params.sessionKey } : {}),
        ...(params.to ? { to: params.to } : {}),
        ...(params.channel ? { channel: params.channel } : {}),
        ...(params.accountId ? { accountId: params.accountId } : {}),
        ...(params.timeout ? { timeoutMs: params.timeout * 1000 } : {}),
        ...(model ? { model } : {}),
        ...(params.extraSystemPrompt ? { extraSystemPrompt: params.extraSystemPrompt } : {}),
      });
      const { runId, sessionKey, agentId } = accepted;
      if (accepted.disposition === 'in_flight') return { runId, status: 'in_flight', sessionKey, agentId };
      if (accepted.disposition === 'completed') return agentFinal(await runs.endOf(runId));
      return new TwoStage({ runId, sessionKey, agentId, status: 'accepted', acceptedAt: accepted.acceptedAt }, runs.endOf(runId).then(agentFinal));
    },

    'agent.wait': async (_context, raw) => {
      const params = raw as AgentWaitParams;
      const record = await runs.waitRecord(params.runId, params.timeoutMs ?? DEFAULT_WAIT_MS);
      return record ? waitResult(record) : { runId: params.runId, status: 'timeout' };
    },

    /** Answers at once; the reply arrives as `chat` events. */
    'chat.send': async (_context, raw) => {
      const params = raw as ChatSendParams;
      const accepted = await runs.start({
        message: params.message,
        idempotencyKey: params.idempotencyKey,
        sessionKey: params.sessionKey,
        origin: 'ws',
        via: 'chat.send',
        ...(params.agentId ? { agentId: params.agentId } : {}),
        ...(params.timeoutMs ? { timeoutMs: params.timeoutMs } : {}),
      });
      if (accepted.disposition === 'in_flight') return { runId: accepted.runId, status: 'in_flight' };
      if (accepted.disposition === 'completed') return chatSendFinal(await runs.endOf(accepted.runId));
      return { runId: accepted.runId, status: 'started' };
    },

    /** The session transcript, from the journal (`cursor` = a `deltaCursor`: only what came after). */
    'chat.history': (context, raw) => history(runs, context.services, raw as ChatHistoryParams),

    /** The official Control UI's first chat call: the same page as `chat.history`. */
    'chat.startup': (context, raw) => history(runs, context.services, raw as ChatHistoryParams),

    'chat.abort': async (_context, raw) => {
      const params = raw as ChatAbortParams;
      const { sessionKey } = runs.sessionOf({ sessionKey: params.sessionKey, agentId: params.agentId });
      const runIds = await runs.abort(params.runId ? { runId: params.runId, sessionKey } : { sessionKey });
      return Reply.ok({ ok: true, aborted: runIds.length > 0, runIds });
    },
  };
}

/** `chat.history` / `chat.startup`: a page of the transcript (a delta after `cursor`), within `maxBytes`. */
function history(runs: AgentRunService, services: GatewayServices, params: ChatHistoryParams): ChatHistoryResult {
  const { sessionKey, agentId } = runs.sessionOf({ sessionKey: params.sessionKey, agentId: params.agentId });
  const stream = sessionStream(sessionKey);
  const sessionId = runs.sessionIdOf(sessionKey);
  const activeRunIds = Object.entries(runs.activeRuns().active).filter(([, run]) => run.sessionKey === sessionKey).map(([runId]) => runId);
  const sessionInfo = { sessionKey, sessionId, agentId, key: sessionKey, hasActiveRun: activeRunIds.length > 0, activeRunIds };
  const limit = params.limit ?? DEFAULT_HISTORY;
  const cursor = params.cursor !== undefined ? Number.parseInt(params.cursor, 10) : Number.NaN;
  if (Number.isInteger(cursor) && cursor >= 0) {
    const delta = readTranscript(services.journal, stream, { keep: limit, afterPosition: cursor });
    return { kind: 'delta', messages: withinBytes(delta.messages.map(chatMessage), params.maxBytes), deltaCursor: String(delta.position), sessionInfo };
  }
  const transcript = readTranscript(services.journal, stream, { keep: limit + (params.offset ?? 0) });
  const upTo = transcript.messages.length - (params.offset ?? 0);
  const page = transcript.messages.slice(Math.max(0, upTo - limit), Math.max(0, upTo)).map(chatMessage);
  const messages = withinBytes(page, params.maxBytes);
  const agent = services.agents.find((a) => a.id === agentId);
  return {
    sessionKey,
    sessionId,
    messages,
    pendingInputs: { items: [], total: 0 },
    deltaCursor: String(transcript.position),
    hasMore: transcript.skipped + Math.max(0, upTo - limit) + (page.length - messages.length) > 0,
    totalMessages: transcript.skipped + transcript.messages.length,
    defaults: { model: agent?.model ?? null },
    sessionInfo,
  };
}
