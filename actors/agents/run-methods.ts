import type { AgentParams, AgentWaitParams } from '../../protocol/methods/agent.js';
import type { ChatAbortParams, ChatHistoryParams, ChatHistoryResult, ChatMessage, ChatSendParams } from '../../protocol/methods/chat.js';
import { readTranscript, type TranscriptMessage } from '../../store/transcript.js';
import { sessionStream, type MethodHandler } from '../gateway/methods/context.js';
import { Reply, TwoStage } from '../gateway/methods/reply.js';
import type { AgentRunService } from './runs.js';
import { agentFinal, chatSendFinal, waitResult } from './final-reply.js';

/** Wire names of the methods the agent-runs module answers (each is in protocol/registry.ts). */
export const RUN_METHOD_NAMES = ['agent', 'agent.wait', 'chat.send', 'chat.history', 'chat.abort'] as const;

const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_HISTORY = 200;

const chatMessage = (message: TranscriptMessage): ChatMessage => ({
  role: message.role,
  content: [{ type: 'text', text: message.text }],
  timestamp: message.ts,
  runId: message.runId,
  ...(message.stopReason ? { stopReason: message.stopReason } : {}),
  __openclaw: { id: `${message.runId}:${message.role}`, seq: message.position },
});

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
    'chat.history': ({ services }, raw) => {
      const params = raw as ChatHistoryParams;
      const { sessionKey, agentId } = runs.sessionOf({ sessionKey: params.sessionKey, agentId: params.agentId });
      const stream = sessionStream(sessionKey);
      const sessionId = runs.sessionIdOf(sessionKey);
      const sessionInfo = { sessionKey, sessionId, agentId };
      const limit = params.limit ?? DEFAULT_HISTORY;
      const cursor = params.cursor !== undefined ? Number.parseInt(params.cursor, 10) : Number.NaN;
      if (Number.isInteger(cursor) && cursor >= 0) {
        const delta = readTranscript(services.journal, stream, { keep: limit, afterPosition: cursor });
        const result: ChatHistoryResult = { kind: 'delta', messages: delta.messages.map(chatMessage), deltaCursor: String(delta.position), sessionInfo };
        return result;
      }
      const transcript = readTranscript(services.journal, stream, { keep: limit + (params.offset ?? 0) });
      const upTo = transcript.messages.length - (params.offset ?? 0);
      const messages = transcript.messages.slice(Math.max(0, upTo - limit), Math.max(0, upTo));
      const agent = services.agents.find((a) => a.id === agentId);
      const result: ChatHistoryResult = {
        sessionKey,
        sessionId,
        messages: messages.map(chatMessage),
        pendingInputs: { items: [], total: 0 },
        deltaCursor: String(transcript.position),
        hasMore: transcript.skipped + Math.max(0, upTo - limit) > 0,
        totalMessages: transcript.skipped + transcript.messages.length,
        defaults: { model: agent?.model ?? null },
        sessionInfo,
      };
      return result;
    },

    'chat.abort': async (_context, raw) => {
      const params = raw as ChatAbortParams;
      const { sessionKey } = runs.sessionOf({ sessionKey: params.sessionKey, agentId: params.agentId });
      const runIds = await runs.abort(params.runId ? { runId: params.runId, sessionKey } : { sessionKey });
      return Reply.ok({ ok: true, aborted: runIds.length > 0, runIds });
    },
  };
}
