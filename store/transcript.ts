import type { FactData } from '../protocol/facts.js';
import type { ChatMessage } from '../protocol/methods/chat.js';
import type { Journal, JournalEntry } from './journal.js';

/** One message of a session transcript, with its position in `session:<key>`. */
export interface TranscriptMessage {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly runId: string;
  readonly stopReason?: string;
  readonly ts: number;
  readonly position: number;
}

/** A session as its stream says: its id (once a run created it) and its messages. */
export interface Transcript {
  readonly sessionId: string | null;
  readonly agentId: string | null;
  readonly messages: readonly TranscriptMessage[];
  /** Messages before `messages` that a bounded read skipped. */
  readonly skipped: number;
  /** Last position read. */
  readonly position: number;
}

const PAGE = 1000;

/**
 * Reads `session:<key>` after `afterPosition`, keeping at most the last `keep` messages; never
 * skips a fact (system events and other facts of the stream are passed over).
 */
export function readTranscript(journal: Journal, stream: string, options: { keep?: number; afterPosition?: number } = {}): Transcript {
  const keep = options.keep ?? Number.MAX_SAFE_INTEGER;
  let sessionId: string | null = null;
  let agentId: string | null = null;
  let messages: TranscriptMessage[] = [];
  let skipped = 0;
  let position = options.afterPosition ?? 0;
  for (;;) {
    const batch: JournalEntry[] = journal.readStream(stream, position, PAGE);
    for (const entry of batch) {
      position = entry.position;
      if (entry.type === 'session.created') {
        const data = entry.data as FactData<'session.created'>;
        sessionId = data.sessionId;
        agentId = data.agentId;
      } else {
        const message = transcriptMessageOf(entry);
        if (message) messages.push(message);
      }
    }
    if (messages.length > keep * 2) {
      skipped += messages.length - keep;
      messages = messages.slice(-keep);
    }
    if (batch.length < PAGE) break;
  }
  if (messages.length > keep) {
    skipped += messages.length - keep;
    messages = messages.slice(-keep);
  }
  return { sessionId, agentId, messages, skipped, position };
}

/** A transcript message on the wire; user rows carry their send identity `<runId>:user`. */
export function chatMessageOf(message: TranscriptMessage): ChatMessage {
  const idempotencyKey = message.role === 'user' ? `${message.runId}:user` : undefined;
  return {
    role: message.role,
    content: [{ type: 'text', text: message.text }],
    timestamp: message.ts,
    runId: message.runId,
    ...(message.stopReason ? { stopReason: message.stopReason } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    __openclaw: { id: `${message.runId}:${message.role}`, seq: message.position, ...(idempotencyKey ? { idempotencyKey } : {}) },
  };
}

/** The transcript message a committed `session.message.appended` entry adds, or null for other entries. */
export function transcriptMessageOf(entry: JournalEntry): TranscriptMessage | null {
  if (entry.type !== 'session.message.appended') return null;
  const data = entry.data as FactData<'session.message.appended'>;
  return { role: data.role, text: data.text, runId: data.runId, ...(data.stopReason ? { stopReason: data.stopReason } : {}), ts: entry.ts, position: entry.position };
}
