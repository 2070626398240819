import type { SessionMessageEvent } from '../../protocol/methods/chat.js';
import type { JournalEntry } from '../../store/journal.js';
import { chatMessageOf, transcriptMessageOf } from '../../store/transcript.js';
import type { OutgoingEvent } from '../gateway/outgoing-event.js';

const SESSION_PREFIX = 'session:';

/**
 * A `session.message` event for each committed transcript row (user at run start, assistant
 * before the run's `final`): the official Control UI proves a send committed by the row's send
 * identity. Narrower than the broadcast streams, so it carries no frame `seq`.
 */
export function sessionMessageEvent(entry: JournalEntry): OutgoingEvent | null {
  if (!entry.stream.startsWith(SESSION_PREFIX)) return null;
  const message = transcriptMessageOf(entry);
  if (!message) return null;
  const sessionKey = entry.stream.slice(SESSION_PREFIX.length);
  const agentId = /^agent:([^:]+):/.exec(sessionKey)?.[1] ?? 'main';
  const wire = chatMessageOf(message);
  const payload: SessionMessageEvent = { sessionKey, agentId, message: wire, messageId: wire.__openclaw.id, messageSeq: message.position };
  return { frame: { type: 'event', event: 'session.message', payload }, scope: 'operator.read', droppable: false };
}
