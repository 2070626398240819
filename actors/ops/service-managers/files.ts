import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ServiceFile } from './spec.js';

/** Writes each file atomically (temp + rename) with its mode; private files get 0700 parent dirs. */
export async function writeServiceFiles(files: readonly ServiceFile[]): Promise<void> {
  for (const file of files) {
    const isPrivate = (file.mode & 0o077) === 0;
    await mkdir(dirname(file.path), { recursive: true, ...(isPrivate ? { mode: 0o700 } : {}) });
    const temp = `${file.path}.${process.pid}.tmp`;
    await writeFile(temp, file.content, { mode: file.mode });
    await chmod(temp, file.mode); // the umask may have narrowed it
    await rename(temp, file.path);
  }
}

/** Removes the files; returns the paths that existed. */
export async function removeServiceFiles(files: readonly ServiceFile[]): Promise<string[]> {
  const removed: string[] = [];
  for (const file of files) {
    if (await exists(file.path)) {
      await rm(file.path, { force: true });
      removed.push(file.path);
    }
  }
  return removed;
}

/** True when `path` exists (any type). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Reads the files that exist, as text (UTF-16 with BOM decoded), keyed by path. */
export async function readServiceFiles(files: readonly ServiceFile[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    texts.set(file.path, decodeText(bytes));
  }
  return texts;
}

/** UTF-8, or UTF-16LE when the file starts with its BOM (task XML). */
export function decodeText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  return buffer.toString('utf8');
}

/** The octal permission bits of a file, or undefined when it does not exist. */
export async function fileMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads `KEY=value` assignments of an env file we wrote, in any of its three forms: systemd
 * (`KEY="va\"lue"`), shell (`export KEY='value'`) and cmd (`set "KEY=value"`).
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@') || /^rem\b/i.test(line)) continue;
    const cmd = /^set "([A-Za-z_][A-Za-z0-9_]*)=(.*)"$/i.exec(line);
    if (cmd?.[1]) {
      values[cmd[1]] = (cmd[2] ?? '').replaceAll('%%', '%');
      continue;
    }
    const assignment = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!assignment?.[1]) continue;
    const value = assignment[2] ?? '';
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) values[assignment[1]] = value.slice(1, -1).replaceAll("'\\''", "'");
    else if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) values[assignment[1]] = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else values[assignment[1]] = value;
  }
  return values;
}
