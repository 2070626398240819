import { spawn } from 'node:child_process';
import { closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, sep } from 'node:path';
import type { SecretProvider } from '../../protocol/secrets.js';

/*
 * The three readers of the official SecretRef contract. Each resolves a batch of ids of one
 * provider and returns a value or a reason per id; reasons never contain a value.
 */

/** The outcome of one id. */
export type Outcome = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };
/** The outcome for each requested id. */
export type Resolved = ReadonlyMap<string, Outcome>;

const ok = (value: string): Outcome => ({ ok: true, value });
const no = (reason: string): Outcome => ({ ok: false, reason });

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

const all = (ids: readonly string[], reason: string): Resolved => new Map(ids.map((id) => [id, no(reason)]));

/** `source: "env"`: the variable, non-empty, within the provider's allowlist if any. */
export function readEnv(ids: readonly string[], provider: SecretProvider | undefined, env: NodeJS.ProcessEnv): Resolved {
  const allow = provider?.source === 'env' ? provider.allowlist : undefined;
  return new Map<string, Outcome>(
    ids.map((id) => {
      if (allow && !allow.includes(id)) return [id, no(`env var ${id} is not in the provider allowlist`)];
      const value = env[id];
      if (value === undefined || value.trim() === '') return [id, no(`env var ${id} is not set or empty`)];
      return [id, ok(value)];
    }),
  );
}

const expandHome = (path: string): string => (path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);

/** The private regular file at `path` (no symlink, one link, not readable by group/others), at most `maxBytes`. */
function readPrivateFile(path: string, maxBytes: number): string {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) throw new Error('must not be a symlink');
  if (!stat.isFile()) throw new Error('must be a regular file');
  if (stat.nlink > 1) throw new Error('must not be hardlinked');
  if (process.platform !== 'win32') {
    if ((stat.mode & 0o077) !== 0) throw new Error('must not be accessible by group or others (chmod 600)');
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new Error('must be owned by the gateway user');
  }
  if (stat.size > maxBytes) throw new Error(`is larger than maxBytes (${maxBytes})`);
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).ino !== stat.ino) throw new Error('changed while being read');
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
}

/** RFC 6901: `/a/b~1c` → the value at a → "b/c". */
function pointer(root: unknown, id: string): unknown {
  let current = root;
  for (const raw of id.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** `source: "file"`: one private file per provider; JSON pointers (mode json) or the whole file (`singleValue`). */
export function readFileSource(ids: readonly string[], provider: SecretProvider & { source: 'file' }): Resolved {
  const path = expandHome(provider.path);
  let text: string;
  try {
    text = readPrivateFile(path, provider.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return all(ids, `file ${path} ${code === 'ENOENT' ? 'does not exist' : code ? `cannot be read (${code})` : (error as Error).message}`);
  }
  if ((provider.mode ?? 'json') === 'singleValue') {
    const value = text.replace(/\r?\n$/, '');
    return new Map<string, Outcome>(
      ids.map((id) =>
        id !== 'value'
          ? ([id, no('a singleValue file provider only resolves id "value"')])
          : value === ''
            ? ([id, no(`file ${path} is empty`)])
            : ([id, ok(value)]),
      ),
    );
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return all(ids, `file ${path} is not valid JSON`);
  }
  return new Map<string, Outcome>(
    ids.map((id) => {
      const value = pointer(root, id);
      if (typeof value !== 'string' || value === '') return [id, no(`no non-empty string at ${id} in ${path}`)];
      return [id, ok(value)];
    }),
  );
}

/** Throws for an exec command that is relative, a symlink, writable by others, or outside `trustedDirs`. */
export function checkCommand(command: string, trustedDirs: readonly string[] | undefined): void {
  if (!isAbsolute(command)) throw new Error('command must be an absolute path');
  const stat = lstatSync(command);
  if (stat.isSymbolicLink()) throw new Error('command must not be a symlink');
  if (!stat.isFile()) throw new Error('command must be a regular file');
  if (process.platform !== 'win32') {
    if ((stat.mode & 0o022) !== 0) throw new Error('command must not be group- or world-writable');
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid() && stat.uid !== 0) throw new Error('command must be owned by the gateway user');
  }
  if (trustedDirs && trustedDirs.length > 0) {
    const dir = realpathSync(dirname(command));
    if (!trustedDirs.some((trusted) => dir === trusted || dir.startsWith(`${trusted.replace(/\/$/, '')}${sep}`))) {
      throw new Error('command is outside trustedDirs');
    }
  }
}

/**
 * `source: "exec"`: runs the command (no shell) with `{protocolVersion:1, provider, ids}` on stdin
 * and reads `{protocolVersion:1, values, errors?}` from stdout, bounded in time and size.
 */
export function readExec(alias: string, ids: readonly string[], provider: SecretProvider & { source: 'exec' }, env: NodeJS.ProcessEnv): Promise<Resolved> {
  try {
    checkCommand(provider.command, provider.trustedDirs);
  } catch (error) {
    return Promise.resolve(all(ids, `exec provider ${alias}: ${(error as Error).message}`));
  }
  const childEnv: NodeJS.ProcessEnv = { ...provider.env };
  for (const name of provider.passEnv ?? []) if (env[name] !== undefined) childEnv[name] = env[name];
  const timeoutMs = provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = provider.maxOutputBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve) => {
    const child = spawn(provider.command, provider.args ?? [], { env: childEnv, stdio: ['pipe', 'pipe', 'ignore'], shell: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: string | undefined;
    const stop = (reason: string) => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) stop(`output over maxOutputBytes (${maxBytes})`);
      else chunks.push(chunk);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(all(ids, `exec provider ${alias}: could not run (${(error as NodeJS.ErrnoException).code ?? error.message})`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (failure) return resolve(all(ids, `exec provider ${alias}: ${failure}`));
      if (code !== 0) return resolve(all(ids, `exec provider ${alias}: exited with code ${code}`));
      resolve(parseExecOutput(alias, ids, Buffer.concat(chunks).toString('utf8'), provider.jsonOnly ?? true));
    });
    child.stdin.on('error', () => undefined); // a resolver that exits without reading stdin is judged by its output
    child.stdin.end(JSON.stringify({ protocolVersion: 1, provider: alias, ids }));
  });
}

export function parseExecOutput(alias: string, ids: readonly string[], stdout: string, jsonOnly: boolean): Resolved {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    if (!jsonOnly && ids.length === 1 && stdout.trim() !== '') return new Map([[ids[0]!, ok(stdout.replace(/\r?\n$/, ''))]]);
    return all(ids, `exec provider ${alias}: output is not JSON`);
  }
  const body = parsed as { protocolVersion?: unknown; values?: Record<string, unknown>; errors?: Record<string, { code?: unknown }> };
  if (body.protocolVersion !== 1 || body.values === null || typeof body.values !== 'object') return all(ids, `exec provider ${alias}: output is not protocol v1`);
  return new Map<string, Outcome>(
    ids.map((id) => {
      const value = body.values?.[id];
      if (typeof value === 'string' && value !== '') return [id, ok(value)];
      const code = body.errors?.[id]?.code;
      const known = code === 'NOT_FOUND' || code === 'AMBIGUOUS_DUPLICATE_KEY' ? ` (${code})` : '';
      return [id, no(`exec provider ${alias} returned no value for ${id}${known}`)];
    }),
  );
}
