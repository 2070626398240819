import { defineCommand } from 'citty';
import { channelsLoginCommand } from './channels-login.js';
import { channelsLogoutCommand } from './channels-logout.js';

/** `openclaw channels <login|logout>`: link and unlink channel accounts. */
export const channelsCommand = defineCommand({
  meta: { name: 'channels', description: 'Channel accounts (WhatsApp QR login, logout)' },
  subCommands: { login: channelsLoginCommand, logout: channelsLogoutCommand },
});
