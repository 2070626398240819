import { whatsappLogin } from './channels-login-whatsapp.js';

/**
 * `openclaw channels login --channel <id>` per channel: a channel that links interactively (WhatsApp's
 * QR login) registers its runner here. Resolves with the exit code.
 */
export type ChannelLogin = (options: { readonly accountId?: string; readonly verbose: boolean; readonly env: NodeJS.ProcessEnv }) => Promise<number>;

export const CHANNEL_LOGINS: Readonly<Record<string, ChannelLogin>> = { whatsapp: whatsappLogin };
