import { ENV_ID, EXEC_ID, type SecretRef, type SecretSource, type SecretsSection } from '../../protocol/secrets.js';
import { SECRET_KEY } from '../../protocol/config.js';

/** A ref found in the config, with the provider alias it resolves through. */
export interface FoundRef {
  /** Dotted config path (`gateway.auth.token`, `models.providers.openai.apiKey`). */
  readonly path: string;
  readonly source: SecretSource;
  readonly provider: string;
  readonly id: string;
}

/** A ref that is malformed before anything is read (bad id, unknown provider). */
export class SecretRefError extends Error {
  constructor(readonly path: string, reason: string) {
    super(reason);
    this.name = 'SecretRefError';
  }
}

const SHORTHAND = /^\$\{([A-Z][A-Z0-9_]{0,127})\}$|^\$([A-Z][A-Z0-9_]{0,127})$/;

/** The identity of a ref in a snapshot: same source, provider and id → same value. */
export const refKey = (ref: { source: string; provider: string; id: string }): string => `${ref.source}\u0000${ref.provider}\u0000${ref.id}`;

const isRefObject = (value: unknown): value is SecretRef => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  return (
    (record.source === 'env' || record.source === 'file' || record.source === 'exec') &&
    typeof record.id === 'string' &&
    keys.every((key) => key === 'source' || key === 'provider' || key === 'id')
  );
};

/**
 * The ref a config value stands for, or undefined when it is plaintext. `${NAME}` / `$NAME`
 * count only on credential-named keys (`token`, `password`, `apiKey`…), as the official
 * SecretInput fields; a `{source, provider?, id}` object counts anywhere.
 */
export function refOf(value: unknown, key: string, secrets: SecretsSection | undefined): Omit<FoundRef, 'path'> | undefined {
  if (typeof value === 'string') {
    if (!SECRET_KEY.test(key)) return undefined;
    const match = SHORTHAND.exec(value.trim());
    const id = match?.[1] ?? match?.[2];
    return id ? { source: 'env', provider: secrets?.defaults?.env ?? 'default', id } : undefined;
  }
  if (!isRefObject(value)) return undefined;
  const provider = value.provider ?? secrets?.defaults?.[value.source] ?? 'default';
  return { source: value.source, provider, id: value.id };
}

/** Every ref in `config`, in document order; throws SecretRefError for a malformed one. */
export function findRefs(config: unknown): FoundRef[] {
  const secrets = (config as { secrets?: SecretsSection } | null)?.secrets;
  const found: FoundRef[] = [];
  const walk = (value: unknown, path: string[]): void => {
    const key = path.at(-1) ?? '';
    if (path[0] === 'secrets') return; // provider definitions are not credentials
    const ref = refOf(value, key, secrets);
    if (ref) {
      const full: FoundRef = { path: dotted(path), ...ref };
      checkRef(full, secrets);
      found.push(full);
      return;
    }
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, String(index)]));
    else if (value !== null && typeof value === 'object') for (const [child, item] of Object.entries(value)) walk(item, [...path, child]);
  };
  walk(config, []);
  return found;
}

/** Throws for an id outside its source's grammar, or a provider the config does not define. */
function checkRef(ref: FoundRef, secrets: SecretsSection | undefined): void {
  const fail = (reason: string): never => {
    throw new SecretRefError(ref.path, reason);
  };
  if (ref.source === 'env' && !ENV_ID.test(ref.id)) fail(`env id ${JSON.stringify(ref.id)} must match ^[A-Z][A-Z0-9_]{0,127}$`);
  if (ref.source === 'file' && ref.id !== 'value' && !ref.id.startsWith('/')) fail('file id must be an absolute JSON pointer ("/...") or "value"');
  if (ref.source === 'exec' && (!EXEC_ID.test(ref.id) || ref.id.split('/').some((s) => s === '.' || s === '..'))) {
    fail(`exec id ${JSON.stringify(ref.id)} is not a valid exec id`);
  }
  const entry = secrets?.providers?.[ref.provider];
  if (entry && entry.source !== ref.source) fail(`secrets.providers.${ref.provider} is a ${entry.source} provider, not ${ref.source}`);
  if (!entry && ref.source !== 'env') fail(`no ${ref.source} provider "${ref.provider}" in secrets.providers`);
  if (!entry && ref.provider !== (secrets?.defaults?.env ?? 'default')) fail(`no env provider "${ref.provider}" in secrets.providers`);
}

const dotted = (segments: readonly string[]): string =>
  segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i === 0 ? '' : '.'}${s}`)).join('');
