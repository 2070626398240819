import type { ChannelDefinition } from './contract.js';
import { telegramChannel } from './telegram/definition.js';
import { whatsappChannel } from './whatsapp/definition.js';

/**
 * Every channel this gateway has, in display order (`channelOrder`). A channel plugs in by adding
 * its definition here; definitions are light (their SDK loads in `createAdapter`).
 */
export const CHANNEL_DEFINITIONS: readonly ChannelDefinition[] = [telegramChannel, whatsappChannel];

/** The definition of a channel id, or undefined. */
export const channelDefinition = (id: string): ChannelDefinition | undefined => CHANNEL_DEFINITIONS.find((d) => d.id === id.trim().toLowerCase());
