import type { SecretsSection } from '../../protocol/secrets.js';
import { findRefs, refKey, refOf, SecretRefError, type FoundRef } from './refs.js';
import { readEnv, readExec, readFileSource, type Resolved } from './sources.js';

/** Resolved values by ref identity (`refKey`): what the running gateway reads secrets from. */
export type SecretSnapshot = ReadonlyMap<string, string>;

/** How resolving every ref of a config went. Reasons name the key and never carry a value. */
export type SecretsOutcome =
  | { readonly ok: true; readonly snapshot: SecretSnapshot; readonly refs: readonly FoundRef[] }
  | { readonly ok: false; readonly path: string; readonly reason: string };

/** A resolved config, ready to become the active snapshot. */
export interface PreparedSecrets {
  readonly ok: true;
  readonly refs: number;
  readonly changed: string[];
  activate(): void;
}

/** A credential the active snapshot does not hold (its ref was never resolved, or failed). */
export class SecretUnavailableError extends Error {
  constructor(readonly path: string) {
    super(`${path}: secret reference is not resolved (run openclaw secrets reload, or fix the reference)`);
    this.name = 'SecretUnavailableError';
  }
}

/** Resolves every ref of `config` (all providers in parallel); the first failure in document order wins. */
export async function resolveSecrets(config: unknown, env: NodeJS.ProcessEnv): Promise<SecretsOutcome> {
  let refs: FoundRef[];
  try {
    refs = findRefs(config);
  } catch (error) {
    if (error instanceof SecretRefError) return { ok: false, path: error.path, reason: error.message };
    throw error;
  }
  const secrets = (config as { secrets?: SecretsSection } | null)?.secrets;
  const groups = new Map<string, FoundRef[]>();
  for (const ref of refs) {
    const key = `${ref.source}\u0000${ref.provider}`;
    groups.set(key, [...(groups.get(key) ?? []), ref]);
  }
  const results = new Map<string, Resolved>();
  await Promise.all(
    [...groups].map(async ([key, group]) => {
      const { source, provider: alias } = group[0]!;
      const ids = [...new Set(group.map((ref) => ref.id))];
      const provider = secrets?.providers?.[alias];
      if (source === 'env') results.set(key, readEnv(ids, provider, env));
      else if (provider?.source === 'file') results.set(key, readFileSource(ids, provider));
      else if (provider?.source === 'exec') results.set(key, await readExec(alias, ids, provider, env));
    }),
  );
  const snapshot = new Map<string, string>();
  for (const ref of refs) {
    const outcome = results.get(`${ref.source}\u0000${ref.provider}`)?.get(ref.id);
    if (!outcome) return { ok: false, path: ref.path, reason: `no ${ref.source} provider "${ref.provider}"` };
    if (!outcome.ok) return { ok: false, path: ref.path, reason: outcome.reason };
    snapshot.set(refKey(ref), outcome.value);
  }
  return { ok: true, snapshot, refs };
}

/** What a successful reload changed: the config paths whose resolved value differs (never the values). */
export function changedPaths(before: SecretSnapshot, after: SecretSnapshot, refs: readonly FoundRef[]): string[] {
  return refs.filter((ref) => before.get(refKey(ref)) !== after.get(refKey(ref))).map((ref) => ref.path);
}

/**
 * The active secrets snapshot of a process. Resolution happens at start and on reload; reads are
 * synchronous lookups. A failed resolution leaves the active snapshot as it was.
 */
export class SecretsRuntime {
  private active: SecretSnapshot;
  private secrets: SecretsSection | undefined;

  constructor(snapshot: SecretSnapshot = new Map(), secrets?: SecretsSection) {
    this.active = snapshot;
    this.secrets = secrets;
  }

  /**
   * Resolves `config`'s refs without touching the active snapshot. On success, `activate()` swaps
   * it in (values of refs the new config no longer names stay, so the previous config still reads).
   */
  async prepare(config: unknown, env: NodeJS.ProcessEnv): Promise<PreparedSecrets | { ok: false; path: string; reason: string }> {
    const outcome = await resolveSecrets(config, env);
    if (!outcome.ok) return outcome;
    const changed = changedPaths(this.active, outcome.snapshot, outcome.refs);
    return {
      ok: true,
      refs: outcome.refs.length,
      changed,
      activate: () => {
        this.active = new Map([...this.active, ...outcome.snapshot]);
        this.secrets = (config as { secrets?: SecretsSection } | null)?.secrets;
      },
    };
  }

  /**
   * The credential a config value stands for: plaintext as is, a ref from the active snapshot.
   * `path` is the dotted config path (its last segment decides whether `${NAME}` is shorthand).
   * Throws SecretUnavailableError for a ref the snapshot does not hold.
   */
  value(raw: unknown, path: string): string | undefined {
    const ref = refOf(raw, path.split('.').at(-1) ?? '', this.secrets);
    if (!ref) return typeof raw === 'string' ? raw : undefined;
    const value = this.active.get(refKey(ref));
    if (value === undefined) throw new SecretUnavailableError(path);
    return value;
  }

  /** Every resolved value (for log redaction). */
  values(): string[] {
    return [...this.active.values()];
  }
}
