import { spawnSync } from 'node:child_process';
import type { SecretsSection } from '../../protocol/secrets.js';
import { refOf } from './refs.js';
import { checkCommand, parseExecOutput, readEnv, readFileSource } from './sources.js';

/**
 * One credential of a config, resolved on the spot (synchronously) for a CLI command that needs
 * it to reach its gateway (`--token` from `gateway.auth.token: {source:"file",…}`). Plaintext is
 * returned as is; a ref that cannot be resolved gives undefined (the command then has no secret).
 */
export function localSecret(config: unknown, raw: unknown, path: string, env: NodeJS.ProcessEnv): string | undefined {
  const secrets = (config as { secrets?: SecretsSection } | null)?.secrets;
  const ref = refOf(raw, path.split('.').at(-1) ?? '', secrets);
  if (!ref) return typeof raw === 'string' ? raw : undefined;
  const provider = secrets?.providers?.[ref.provider];
  if (ref.source === 'env') return readOne(readEnv([ref.id], provider, env), ref.id);
  if (provider?.source === 'file') return readOne(readFileSource([ref.id], provider), ref.id);
  if (provider?.source !== 'exec') return undefined;
  try {
    checkCommand(provider.command, provider.trustedDirs);
  } catch {
    return undefined;
  }
  const childEnv: NodeJS.ProcessEnv = { ...provider.env };
  for (const name of provider.passEnv ?? []) if (env[name] !== undefined) childEnv[name] = env[name];
  const run = spawnSync(provider.command, provider.args ?? [], {
    input: JSON.stringify({ protocolVersion: 1, provider: ref.provider, ids: [ref.id] }),
    env: childEnv,
    timeout: provider.timeoutMs ?? 5000,
    maxBuffer: provider.maxOutputBytes ?? 1024 * 1024,
    encoding: 'utf8',
    shell: false,
  });
  if (run.status !== 0 || typeof run.stdout !== 'string') return undefined;
  return readOne(parseExecOutput(ref.provider, [ref.id], run.stdout, provider.jsonOnly ?? true), ref.id);
}

const readOne = (resolved: ReturnType<typeof readEnv>, id: string): string | undefined => {
  const outcome = resolved.get(id);
  return outcome?.ok ? outcome.value : undefined;
};
