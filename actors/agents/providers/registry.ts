import { AnthropicProvider } from './anthropic.js';
import { OFFLINE_MODEL, OfflineProvider } from './offline.js';
import { OpenAiProvider } from './openai.js';
import type { ModelProvider } from './types.js';

/** A provider as resolved from `models.providers` plus the environment (by bin/). */
export interface ProviderConfig {
  readonly name: string;
  readonly kind: 'openai' | 'anthropic' | 'offline';
  readonly baseUrl?: string;
  /** Never logged. */
  readonly apiKey?: string;
  /** Default model of the provider. */
  readonly model: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxRetries?: number;
  readonly maxTokens?: number;
  readonly delayMs?: number;
}

/** The built-in provider's reference, used when nothing is configured. */
export const OFFLINE_REF = `offline/${OFFLINE_MODEL}`;

/** A provider and the model to ask it for. */
export interface ModelChoice {
  readonly provider: ModelProvider;
  readonly model: string;
}

function create(config: ProviderConfig): ModelProvider {
  switch (config.kind) {
    case 'openai':
      return new OpenAiProvider(config);
    case 'anthropic':
      return new AnthropicProvider(config);
    case 'offline':
      return new OfflineProvider(config.name, { model: config.model, ...(config.delayMs !== undefined ? { delayMs: config.delayMs } : {}) });
  }
}

/** The configured providers by name; `offline` always exists. SDKs load on a provider's first call. */
export class ModelProviders {
  private readonly byName = new Map<string, ModelProvider>();

  constructor(configs: readonly ProviderConfig[]) {
    for (const config of configs) this.byName.set(config.name, create(config));
    if (!this.byName.has('offline')) this.byName.set('offline', new OfflineProvider());
  }

  /**
   * Resolves `"<provider>/<model>"`, `"<provider>"` (its default model) or a bare model id (on the
   * provider of `fallback`); null when the provider is unknown (a `"<provider>/…"` ref whose
   * provider is not configured included).
   */
  resolve(ref: string, fallback: string = OFFLINE_REF): ModelChoice | null {
    const slash = ref.indexOf('/');
    const head = slash < 0 ? ref : ref.slice(0, slash);
    const named = this.byName.get(head);
    if (named) return { provider: named, model: slash < 0 ? named.defaultModel : ref.slice(slash + 1) };
    // `"<provider>/<model>"` names its provider: an unconfigured one is UNKNOWN_MODEL, never the fallback's.
    if (slash >= 0 || ref === fallback) return null;
    const base = this.resolve(fallback, fallback);
    return base ? { provider: base.provider, model: ref } : null;
  }

  /** Every provider (for embeddings: the first non-offline one is preferred). */
  all(): ModelProvider[] {
    return [...this.byName.values()];
  }
}
