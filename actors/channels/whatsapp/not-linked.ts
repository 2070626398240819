import { ChannelSendError } from '../contract.js';

/** The official's refusal of a send on an account with no live WhatsApp Web session (CHANNELS.md §3.3, §5.6). */
export function notLinkedError(accountId: string): ChannelSendError {
  return new ChannelSendError(
    `OutboundDeliveryError: No active WhatsApp Web listener (account: ${accountId}). Start the gateway, then link WhatsApp with: openclaw channels login --channel whatsapp --account ${accountId}.`,
    'not-linked',
    { reason: 'not-linked', accountId },
  );
}
