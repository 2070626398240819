import type { AnyActorRef } from 'xstate';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import type { MethodHandler } from '../gateway/methods/context.js';
import { CHANNEL_METHODS, WEB_LOGIN_METHODS } from './method-names.js';
import { CHANNEL_DEFINITIONS } from './registry.js';
import type { ChannelRuntime, ChannelsOptions } from './runtime.js';
import { accountSnapshot } from './status.js';

export { CHANNEL_METHODS };
export type { ChannelsOptions };

const configured = (config: GatewayFileConfig): boolean => CHANNEL_DEFINITIONS.some((d) => d.isConfigured(config));

/**
 * Channels as a gateway module: the channel methods always answer (with empty results and the
 * official errors when nothing is configured); the runtime (accounts, link actors, adapters and
 * their SDKs) is loaded only once a `channels.*` section exists, at start or on a hot reload.
 */
export function channelsModule(options: ChannelsOptions): GatewayModuleFactory {
  return (services) => {
    let created: Promise<ChannelRuntime> | null = null;
    let live: ChannelRuntime | null = null;
    let started = false;
    const runtime = (): Promise<ChannelRuntime> => {
      created ??= import('./runtime.js').then(({ ChannelRuntime }) => (live = new ChannelRuntime(services, options)));
      return created;
    };
    // The handlers (and what they import: outbound, pairing, the WhatsApp login) load on the first call.
    let handlers: Promise<Record<string, MethodHandler>> | null = null;
    const loadHandlers = () =>
      (handlers ??= Promise.all([import('./methods.js'), import('./whatsapp/web-login-methods.js')]).then(
        ([channel, web]): Record<string, MethodHandler> => ({ ...channel.channelMethods(runtime), ...web.webLoginMethods({ runtime }) }),
      ));
    const lazy = (name: string): MethodHandler => async (context, params) => (await loadHandlers())[name]?.(context, params);
    return {
      name: 'channels',
      methods: Object.fromEntries([...CHANNEL_METHODS, ...WEB_LOGIN_METHODS].map((name) => [name, lazy(name)])),
      actors: (): AnyActorRef[] => live?.actors() ?? [],
      health: () => {
        if (!live) return {};
        const definitions = live.configuredChannels();
        const channels: Record<string, unknown> = {};
        for (const definition of definitions) {
          const accounts = Object.fromEntries(live.accountsOf(definition.id).map((a) => [a.config.accountId, accountSnapshot(a)]));
          const main = accounts[definition.defaultAccountId(live.currentConfig())] ?? Object.values(accounts)[0] ?? {};
          channels[definition.id] = { ...main, accounts };
        }
        return { channels, channelOrder: definitions.map((d) => d.id), channelLabels: Object.fromEntries(definitions.map((d) => [d.id, d.label])) };
      },
      async start() {
        if (!configured(options.config)) return;
        started = true;
        await (await runtime()).start();
      },
      async reconfigure(config) {
        if (!started && !configured(config)) return;
        started = true;
        await (await runtime()).reconfigure(config);
      },
      async stop() {
        await live?.stop();
      },
    };
  };
}
