import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { AgentRunsOptions } from '../actors/agents/runs.js';
import { OFFLINE_REF, type ProviderConfig } from '../actors/agents/providers/registry.js';
import type { AgentDescriptor } from '../actors/gateway/health-monitor.js';
import type { ModelRef, ProviderKind, ProviderSection } from '../protocol/config-agents.js';
import type { GatewayFileConfig } from '../protocol/config.js';
import { localSecret } from '../actors/secrets/local.js';

/** Agents and model providers as the gateway runs them. */
export interface AgentRuntime {
  readonly agents: AgentDescriptor[];
  readonly options: AgentRunsOptions;
}

/** Default run deadline: the official CLI's `timeout: 600`. */
export const DEFAULT_RUN_TIMEOUT_MS = 600_000;

const DEFAULT_MODELS: Record<ProviderKind, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-5', offline: 'echo-1' };

const refOf = (ref: ModelRef | undefined): string | undefined => (typeof ref === 'string' ? ref : ref?.primary);

function kindOf(name: string, section: ProviderSection): ProviderKind {
  if (section.kind) return section.kind;
  if (section.api) return section.api.startsWith('anthropic') ? 'anthropic' : 'openai';
  if (name === 'anthropic' || name === 'offline') return name;
  return 'openai';
}

/** Reads a credential of the config: plaintext as is, a SecretRef from the secrets snapshot. */
export type SecretReader = (raw: unknown, path: string) => string | undefined;

/** Without a snapshot (tests, one-off commands): SecretRefs resolved on the spot. */
const localReader = (config: GatewayFileConfig, env: NodeJS.ProcessEnv): SecretReader => (raw, path) => localSecret(config, raw, path, env);

const envKey = (kind: ProviderKind, env: NodeJS.ProcessEnv): string | undefined =>
  kind === 'openai' ? env.OPENAI_API_KEY?.trim() || undefined : kind === 'anthropic' ? env.ANTHROPIC_API_KEY?.trim() || undefined : undefined;

function provider(name: string, section: ProviderSection, env: NodeJS.ProcessEnv, secret: SecretReader): ProviderConfig {
  const kind = kindOf(name, section);
  const apiKey = secret(section.apiKey, `models.providers.${name}.apiKey`)?.trim() || envKey(kind, env);
  return {
    name,
    kind,
    model: section.model ?? section.models?.[0]?.id ?? DEFAULT_MODELS[kind],
    ...(section.baseUrl ? { baseUrl: section.baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(section.headers ? { headers: section.headers } : {}),
    ...(section.maxRetries !== undefined ? { maxRetries: section.maxRetries } : {}),
    ...(section.maxTokens !== undefined ? { maxTokens: section.maxTokens } : {}),
    ...(section.delayMs !== undefined ? { delayMs: section.delayMs } : {}),
  };
}

const expand = (path: string, home: string): string =>
  path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : isAbsolute(path) ? path : resolve(path);

/**
 * Resolves `models.providers`, `agents.*` and `session.dmScope` with the environment (API keys
 * from `apiKey` (plaintext or a SecretRef), OPENAI_API_KEY or ANTHROPIC_API_KEY). With no provider configured every
 * agent runs on the built-in offline provider. `openai/…` or `anthropic/…` model references work
 * without a `models.providers` entry (the SDK defaults plus the env key).
 */
export function resolveAgentRuntime(
  config: GatewayFileConfig,
  env: NodeJS.ProcessEnv,
  defaultWorkspace: string,
  secret: SecretReader = localReader(config, env),
): AgentRuntime {
  const home = env.OPENCLAW_HOME ?? env.HOME ?? homedir();
  const sections = config.models?.providers ?? {};
  const providers = Object.entries(sections).map(([name, section]) => provider(name, section, env, secret));
  const firstConfigured = providers.find((p) => p.kind !== 'offline');
  const defaults = config.agents?.defaults;
  const defaultModel = refOf(defaults?.model) ?? (firstConfigured ? `${firstConfigured.name}/${firstConfigured.model}` : OFFLINE_REF);
  const list = config.agents?.list?.length ? config.agents.list : [{ id: 'main', default: true }];
  const defaultIndex = Math.max(0, list.findIndex((entry) => entry.default === true));
  const agents: AgentDescriptor[] = list.map((entry, index) => {
    const id = entry.id.trim().toLowerCase();
    const isDefault = index === defaultIndex;
    const workspace = entry.workspace ? expand(entry.workspace, home) : isDefault ? defaultWorkspace : join(dirname(defaultWorkspace), `workspace-${id}`);
    return { id, ...(entry.name ? { name: entry.name } : {}), workspace, isDefault, model: refOf(entry.model) ?? defaultModel };
  });
  for (const ref of [defaultModel, ...agents.map((a) => a.model ?? '')]) {
    const head = ref.split('/')[0] ?? '';
    if ((head === 'openai' || head === 'anthropic') && !providers.some((p) => p.name === head)) providers.push(provider(head, { kind: head }, env, secret));
  }
  const timeoutSeconds = defaults?.timeoutSeconds;
  return {
    agents,
    options: {
      providers,
      defaultModel,
      defaultTimeoutMs: timeoutSeconds ? timeoutSeconds * 1000 : DEFAULT_RUN_TIMEOUT_MS,
      dmScope: config.session?.dmScope ?? 'main',
    },
  };
}
