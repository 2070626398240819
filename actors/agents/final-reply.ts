import type { AgentWaitResult } from '../../protocol/methods/agent.js';
import type { ChatSendResult } from '../../protocol/methods/chat.js';
import { ERRORS } from '../../protocol/errors.js';
import { ZERO_USAGE, type RunRecord } from '../../store/run-record.js';
import { timedOutMessage } from '../../store/run-events.js';
import { Reply } from '../gateway/methods/reply.js';
import type { RunOutcome } from './run-service.js';

/*
 * What callers are told about an ended run, derived from its journaled record only (so the live
 * final, a retry's cached final and `agent.wait` always agree).
 */

/** The wire error of a failed or timed-out run. */
function errorOf(record: RunRecord): { code: string; message: string; details: Record<string, unknown> } {
  if (record.status === 'timeout') {
    return { code: ERRORS.RUN_TIMEOUT.code, message: timedOutMessage(record.timeoutMs), details: { code: 'RUN_TIMEOUT', timeoutMs: record.timeoutMs } };
  }
  const error = record.error ?? { key: 'INTERNAL_ERROR', code: 'UNAVAILABLE', message: 'agent run failed' };
  return {
    code: error.code,
    message: error.message,
    details: { code: error.key, provider: record.provider, model: record.model, ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}) },
  };
}

/** Stage 2 of `agent` (PROTOCOL.md §5.6). */
export function agentFinal(record: RunRecord): Reply {
  const endedAt = record.endedAt ?? record.acceptedAt;
  switch (record.status) {
    case 'ok':
      return Reply.ok({
        runId: record.runId,
        status: 'ok',
        summary: 'completed',
        result: {
          payloads: [{ text: record.text, mediaUrl: null }],
          meta: {
            durationMs: Math.max(0, endedAt - (record.startedAt ?? record.acceptedAt)),
            agentMeta: { sessionId: record.sessionId ?? record.runId, provider: record.provider, model: record.model, usage: record.usage ?? ZERO_USAGE },
            ...(record.stopReason ? { stopReason: record.stopReason } : {}),
          },
        },
      });
    case 'aborted':
      return Reply.ok({ runId: record.runId, status: 'timeout', summary: 'aborted', stopReason: record.stopReason ?? 'rpc', endedAt });
    default: {
      const error = errorOf(record);
      return Reply.fail(error, { runId: record.runId, status: 'error', summary: error.message });
    }
  }
}

/** What a `chat.send` retry of an ended run answers. */
export function chatSendFinal(record: RunRecord): Reply {
  if (record.status === 'ok') return Reply.ok({ runId: record.runId, status: 'ok' } satisfies ChatSendResult);
  if (record.status === 'aborted') return Reply.ok({ runId: record.runId, status: 'timeout', summary: 'aborted' } satisfies ChatSendResult);
  const error = errorOf(record);
  return Reply.fail(error, { runId: record.runId, status: 'error', summary: error.message });
}

/** `agent.wait` of an ended run (aborted reads as error `aborted`, as official). */
export function waitResult(record: RunRecord): AgentWaitResult {
  const times = { ...(record.startedAt !== null ? { startedAt: record.startedAt } : {}), ...(record.endedAt !== null ? { endedAt: record.endedAt } : {}) };
  switch (record.status) {
    case 'ok':
      return { runId: record.runId, status: 'ok', ...times, stopReason: record.stopReason ?? 'stop', terminalReply: { disposition: 'final', text: record.text } };
    case 'aborted':
      return { runId: record.runId, status: 'error', ...times, error: 'aborted', stopReason: record.stopReason ?? 'rpc' };
    case 'timeout':
      return { runId: record.runId, status: 'timeout', ...times, error: timedOutMessage(record.timeoutMs), stopReason: 'timeout' };
    default:
      return { runId: record.runId, status: 'error', ...times, error: errorOf(record).message, stopReason: 'error' };
  }
}

/** The RunService view of an ended run. */
export function outcomeOf(record: RunRecord): RunOutcome {
  const error = record.status === 'error' || record.status === 'timeout' ? errorOf(record) : undefined;
  return {
    runId: record.runId,
    status: record.status === 'ok' || record.status === 'error' || record.status === 'timeout' || record.status === 'aborted' ? record.status : 'error',
    text: record.text,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
    ...(record.usage ? { usage: { input: record.usage.input, output: record.usage.output, total: record.usage.total } } : {}),
    provider: record.provider,
    model: record.model,
    startedAt: record.startedAt ?? record.acceptedAt,
    endedAt: record.endedAt ?? record.acceptedAt,
  };
}
