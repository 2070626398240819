/*
 * The wire methods the channels module answers (each is in protocol/registry.ts). The module
 * registers them at start and loads their handlers on the first call, so a gateway without
 * channels never loads channel code beyond the definitions.
 */

/** `channels.*`, `send`, `message.action` and the DM pairing methods (methods.ts). */
export const CHANNEL_METHODS = [
  'channels.status', 'channels.start', 'channels.stop', 'channels.logout', 'send', 'message.action',
  'channels.pairing.list', 'channels.pairing.approve', 'channels.pairing.dismiss',
] as const;

/** The WhatsApp QR login in the gateway (whatsapp/web-login-methods.ts). */
export const WEB_LOGIN_METHODS = ['web.login.start', 'web.login.wait'] as const;
