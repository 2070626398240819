import type { Logger } from '../../logs/logger.js';
import { WhatsAppAccountLockedError } from './auth-lock.js';
import { WhatsAppLogin } from './login.js';
import { qrTerminal } from './qr.js';
import { createBaileysSocket, type WaSocketFactory } from './socket.js';

/*
 * `openclaw channels login --channel whatsapp`: the QR login in the CLI process, as the official
 * CLI does it (the gateway is not involved until the device is linked). The QR is drawn in the
 * terminal each time WhatsApp rotates it; a socket that times out before any QR is retried once.
 */

export interface CliLoginOptions {
  readonly accountId: string;
  readonly authDir: string;
  readonly logger: Logger;
  readonly write: (text: string) => void;
  readonly socketFactory?: WaSocketFactory;
  readonly webSocketUrl?: string;
}

/** Runs the login to its end: linked, failed or expired. */
export async function runCliLogin(options: CliLoginOptions): Promise<{ readonly linked: boolean; readonly message: string }> {
  const { write } = options;
  write('Waiting for WhatsApp connection...\n');
  for (let attempt = 1; ; attempt += 1) {
    let login: WhatsAppLogin;
    try {
      login = await WhatsAppLogin.begin({
        accountId: options.accountId,
        authDir: options.authDir,
        logger: options.logger,
        socketFactory: options.socketFactory ?? createBaileysSocket,
        ...(options.webSocketUrl ? { webSocketUrl: options.webSocketUrl } : {}),
        onQr: (qr) => {
          qrTerminal(qr)
            .then((drawn) => write(`${drawn}\nScan this QR in WhatsApp → Linked Devices (account ${options.accountId}).\n`))
            .catch((error: unknown) => write(`Cannot draw the QR: ${String(error)}\n`));
        },
      });
    } catch (error) {
      if (error instanceof WhatsAppAccountLockedError) return { linked: false, message: error.message };
      throw error;
    }
    let result = await login.wait();
    while (!result.connected && !login.done) result = await login.wait();
    if (result.connected) return { linked: true, message: result.message };
    if (attempt === 1 && login.timedOutBeforeQr) {
      write('WhatsApp connection timed out before login; retrying with a fresh socket…\n');
      continue;
    }
    return { linked: false, message: result.message.replace(/^WhatsApp login failed: /, '') };
  }
}
