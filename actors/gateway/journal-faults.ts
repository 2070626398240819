/**
 * How the gateway lives with a journal that refuses writes (disk full, read-only file system):
 * the view checkpoint is a cache, so a failed one is logged and retried later; start-up facts
 * wait ahead of every later append until the journal takes them; the change of state is logged
 * once each way, and a retry timer writes the waiting facts as soon as space returns.
 * Requests meanwhile get `UNAVAILABLE` (their append rejects); nothing is acknowledged unwritten.
 */
import type { Journal } from '../../store/journal.js';
import { checkpointGatewayView, type GatewayViewState } from '../../store/gateway-view.js';
import type { Logger } from '../logs/logger.js';

/** A view checkpoint is written every this many `gateway` facts. */
export const CHECKPOINT_EVERY = 1000;
/** After a failed checkpoint, the next try comes this many facts later. */
export const CHECKPOINT_RETRY_EVERY = 100;
/** While the journal refuses writes and start-up facts wait, they are retried this often. */
export const JOURNAL_RETRY_MS = 1000;

/** The short cause of a storage failure: `SQLITE_FULL: database or disk is full`. */
export function storageCause(error: unknown): string {
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause !== undefined && cause.message === 'journal append failed') cause = cause.cause;
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? `${cause.code}: ` : '';
    return `${code}${cause.message}`;
  }
  return String(cause);
}

/** Writes the view checkpoint every CHECKPOINT_EVERY facts; a failure is a warning and a later retry. */
export class ViewCheckpointer {
  private next: number;

  constructor(
    private readonly journal: Journal,
    private readonly logger: Logger,
    from: number,
  ) {
    this.next = from + CHECKPOINT_EVERY;
  }

  /** Called after each committed batch; never throws. */
  afterCommit(view: GatewayViewState): void {
    if (view.position < this.next) return;
    this.next = this.write(view) ? view.position + CHECKPOINT_EVERY : view.position + CHECKPOINT_RETRY_EVERY;
  }

  /** The checkpoint at shutdown; a failure only costs a longer rebuild at the next start. */
  final(view: GatewayViewState): void {
    this.write(view);
  }

  private write(view: GatewayViewState): boolean {
    try {
      checkpointGatewayView(this.journal, view);
      return true;
    } catch (error) {
      this.logger.warn(`view checkpoint at position ${view.position} failed (a cache: retried later): ${storageCause(error)}`);
      return false;
    }
  }
}

/** Logs when the journal stops and starts taking writes, and retries waiting start-up facts. */
export class JournalWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly journal: Journal,
    logger: Logger,
    /** Called when a degraded journal opened its real file (which may hold more than the copy). */
    private readonly onReopened: () => void,
  ) {
    if (journal.degraded !== undefined) {
      logger.error(
        `journal ${journal.path} is not writable (${storageCause(journal.degraded)}): started read-only from a copy of it; ` +
          'requests that change state answer UNAVAILABLE until it can be opened again',
      );
    }
    journal.onWritableChange((writable, error) => {
      if (writable) {
        logger.info(`journal ${journal.path} is writable again`);
        return;
      }
      logger.error(
        `journal ${journal.path} is not writable (${storageCause(error)}): running read-only, requests that change state answer UNAVAILABLE until it is`,
      );
      this.schedule();
    });
  }

  /**
   * Appends start-up facts now, or keeps them ahead of every later append while the journal
   * refuses writes (the gateway starts anyway and retries them every JOURNAL_RETRY_MS).
   */
  appendStartFacts(stream: string, facts: Parameters<Journal['appendFirst']>[1]): void {
    if (!this.journal.appendFirst(stream, facts)) this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.journal.leadingCount === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.journal.degraded !== undefined) {
        if (!this.journal.reopen()) {
          this.schedule();
          return;
        }
        this.onReopened();
      }
      this.journal.flush();
      this.schedule();
    }, JOURNAL_RETRY_MS);
  }
}
