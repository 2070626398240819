import type { Logger } from '../../logs/logger.js';
import { acquireAccountLock, type AccountLock } from './auth-lock.js';
import { readAuthSummary, removeAuth } from './auth-store.js';
import { connectWhatsApp, type WhatsAppConnection, type WhatsAppConnectionEvent } from './connection.js';
import { qrDataUrl } from './qr.js';
import type { WaSocketFactory } from './socket.js';

/**
 * A QR login for one account (`web.login.start` / `web.login.wait`, `openclaw channels login`):
 * its own socket on the account's auth folder, under the account lock, until WhatsApp reports
 * the device linked, the QR session expires (180 s) or the socket fails. After the scan WhatsApp
 * closes with 515 (restart required); the login opens one fresh socket, which then opens.
 *
 *   start ─▶ lock ─▶ socket ─▶ qr ─▶ (scan) ─▶ close 515 ─▶ socket ─▶ open ─▶ linked, unlock
 */

export const LOGIN_SESSION_MS = 180_000;
export const START_WAIT_DEFAULT_MS = 30_000;
export const START_WAIT_MIN_MS = 5_000;
export const WAIT_DEFAULT_MS = 120_000;
export const WAIT_MIN_MS = 1_000;

/** What `web.login.start` answers (always `ok:true`, failures included). */
export interface LoginStartResult {
  readonly message: string;
  readonly qrDataUrl?: string;
  readonly connected?: boolean;
}

/** What `web.login.wait` answers. */
export interface LoginWaitResult {
  readonly connected: boolean;
  readonly message: string;
  readonly qrDataUrl?: string;
}

export interface LoginOptions {
  readonly accountId: string;
  readonly authDir: string;
  readonly logger: Logger;
  readonly socketFactory: WaSocketFactory;
  readonly webSocketUrl?: string;
  /** Called once with each new QR text (the CLI draws it). */
  readonly onQr?: (qr: string) => void;
  readonly now?: () => number;
}

type Outcome =
  | { readonly kind: 'linked'; readonly e164: string | null }
  | { readonly kind: 'failed'; readonly message: string; readonly status?: number | null }
  | { readonly kind: 'expired' };

/** One account's login in progress. */
export class WhatsAppLogin {
  private lock: AccountLock | undefined;
  private connection: WhatsAppConnection | undefined;
  private qr: { text: string; dataUrl: string } | undefined;
  private outcome: Outcome | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly expiry: NodeJS.Timeout;
  private restarted = false;
  readonly startedAt: number;

  private constructor(private readonly options: LoginOptions) {
    this.startedAt = (options.now ?? Date.now)();
    this.expiry = setTimeout(() => this.finish({ kind: 'expired' }), LOGIN_SESSION_MS);
    this.expiry.unref();
  }

  /** Takes the account lock (throws when another process owns the account) and opens the socket. */
  static async begin(options: LoginOptions, force = false): Promise<WhatsAppLogin> {
    const login = new WhatsAppLogin(options);
    login.lock = acquireAccountLock(options.authDir);
    try {
      if (force) await removeAuth(options.authDir);
      await login.open();
    } catch (error) {
      login.dispose();
      throw error;
    }
    return login;
  }

  /** True once linked, failed or expired. */
  get done(): boolean {
    return this.outcome !== undefined;
  }

  get linked(): boolean {
    return this.outcome?.kind === 'linked';
  }

  /** True when the socket timed out (408) before WhatsApp sent any QR: worth one retry. */
  get timedOutBeforeQr(): boolean {
    return this.outcome?.kind === 'failed' && this.outcome.status === 408 && this.qr === undefined;
  }

  private async open(): Promise<void> {
    this.connection = await connectWhatsApp({
      authDir: this.options.authDir,
      logger: this.options.logger,
      socketFactory: this.options.socketFactory,
      ...(this.options.webSocketUrl ? { webSocketUrl: this.options.webSocketUrl } : {}),
      sendReadReceipts: false,
      onEvent: (event) => this.onEvent(event),
      onInbound: async () => undefined, // a login socket takes in nothing: the channel does, once started
    });
  }

  private onEvent(event: WhatsAppConnectionEvent): void {
    if (event.type === 'qr') {
      this.options.onQr?.(event.qr);
      qrDataUrl(event.qr)
        .then((dataUrl) => {
          this.qr = { text: event.qr, dataUrl };
          this.wake();
        })
        .catch((error: unknown) => this.finish({ kind: 'failed', message: `WhatsApp login failed: cannot draw the QR (${String(error)})` }));
      return;
    }
    if (event.type === 'open') {
      this.finish({ kind: 'linked', e164: event.self.e164 });
      return;
    }
    const { close } = event;
    if (close.kind === 'restart' && !this.restarted) {
      this.restarted = true; // the scan succeeded: WhatsApp wants a fresh socket on the new creds
      this.open().catch((error: unknown) => this.finish({ kind: 'failed', message: `WhatsApp login failed: ${String(error)}` }));
      return;
    }
    this.finish({ kind: 'failed', message: `WhatsApp login failed: ${close.message}`, status: close.status });
  }

  private finish(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.dispose();
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Releases the socket, the lock and the timer (idempotent). */
  dispose(): void {
    clearTimeout(this.expiry);
    this.connection?.close();
    this.connection = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  /** Resolves when `ready()` holds or `timeoutMs` passed. */
  private async until(ready: () => boolean, timeoutMs: number): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!ready()) return;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** `web.login.start`'s answer: waits for the first QR (or the outcome) up to `timeoutMs`. */
  async firstQr(timeoutMs = START_WAIT_DEFAULT_MS): Promise<LoginStartResult> {
    await this.until(() => this.qr !== undefined || this.done, Math.max(START_WAIT_MIN_MS, timeoutMs));
    const outcome = this.outcome;
    if (outcome?.kind === 'linked') return { connected: true, message: '✅ Linked! WhatsApp is ready.' };
    if (outcome?.kind === 'failed') return { message: outcome.message };
    if (outcome?.kind === 'expired') return { message: 'The login QR expired. Start the login again.' };
    if (this.qr) return { qrDataUrl: this.qr.dataUrl, message: 'Scan this QR in WhatsApp → Linked Devices.' };
    return { message: 'WhatsApp login failed: no QR arrived in time. Try again.' };
  }

  /** `web.login.wait`'s answer: linked, a refreshed QR, expiry, failure, or still waiting. */
  async wait(timeoutMs = WAIT_DEFAULT_MS, currentQrDataUrl?: string): Promise<LoginWaitResult> {
    const shown = currentQrDataUrl ?? this.qr?.dataUrl;
    await this.until(() => this.done || (this.qr !== undefined && this.qr.dataUrl !== shown), Math.max(WAIT_MIN_MS, timeoutMs));
    const outcome = this.outcome;
    if (outcome?.kind === 'linked') return { connected: true, message: '✅ Linked! WhatsApp is ready.' };
    if (outcome?.kind === 'failed') return { connected: false, message: outcome.message };
    if (outcome?.kind === 'expired') return { connected: false, message: 'The login QR expired. Start the login again.' };
    if (this.qr && this.qr.dataUrl !== shown) return { connected: false, message: 'QR refreshed. Scan the new QR in WhatsApp → Linked Devices.', qrDataUrl: this.qr.dataUrl };
    return { connected: false, message: 'Still waiting for the QR scan. Keep this page open.' };
  }
}

/** `web.login.start`'s answer for an account that is already linked. */
export async function alreadyLinkedResult(authDir: string): Promise<LoginStartResult | null> {
  const summary = await readAuthSummary(authDir);
  if (!summary.linked) return null;
  return { connected: true, message: `WhatsApp is already linked (${summary.self.e164 ?? summary.self.jid ?? 'unknown'}). Use force to relink.` };
}
