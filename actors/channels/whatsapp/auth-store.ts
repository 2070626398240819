import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthenticationState } from '@whiskeysockets/baileys';
import { jidToE164 } from './jid.js';

/**
 * Baileys' multi-file auth state (`creds.json` plus one file per signal key) in an owner-only
 * folder: the folder is 0700 and every file 0600, because these files are the account.
 */

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** `<stateDir>/credentials/whatsapp/<accountId>` unless the account names its own `authDir`. */
export function whatsappAuthDir(stateDir: string, accountId: string, authDir?: string): string {
  return authDir ?? join(stateDir, 'credentials', 'whatsapp', accountId);
}

/** What the files say about the link, read without loading Baileys. */
export interface WhatsAppAuthSummary {
  /** Creds exist and name the linked device (`creds.me`). */
  readonly linked: boolean;
  /** When `creds.json` was last written (ms since the epoch), or null. */
  readonly authWrittenAt: number | null;
  readonly self: { readonly e164: string | null; readonly jid: string | null; readonly lid: string | null };
}

const UNLINKED: WhatsAppAuthSummary = { linked: false, authWrittenAt: null, self: { e164: null, jid: null, lid: null } };

/** The summary of a `creds.json` text written at `writtenAt`. */
function summaryOf(text: string, writtenAt: number): WhatsAppAuthSummary {
  let me: { id?: unknown; lid?: unknown } | undefined;
  try {
    me = (JSON.parse(text) as { me?: { id?: unknown; lid?: unknown } }).me;
  } catch {
    return { ...UNLINKED, authWrittenAt: Math.round(writtenAt) }; // half-written or foreign: not a link
  }
  const jid = typeof me?.id === 'string' ? me.id : null;
  return { linked: jid !== null, authWrittenAt: Math.round(writtenAt), self: { e164: jidToE164(jid), jid, lid: typeof me?.lid === 'string' ? me.lid : null } };
}

/** Reads `creds.json`; an absent file means not linked. */
export async function readAuthSummary(dir: string): Promise<WhatsAppAuthSummary> {
  const path = join(dir, 'creds.json');
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return summaryOf(text, info.mtimeMs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return UNLINKED;
    throw new Error(`cannot read WhatsApp creds ${path}`, { cause: error });
  }
}

/** `readAuthSummary` for synchronous callers (config resolution, status rows); one small file. */
export function readAuthSummarySync(dir: string): WhatsAppAuthSummary {
  const path = join(dir, 'creds.json');
  try {
    return summaryOf(readFileSync(path, 'utf8'), statSync(path).mtimeMs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return UNLINKED;
    throw new Error(`cannot read WhatsApp creds ${path}`, { cause: error });
  }
}

/** Makes the folder 0700 (creating it) and every file in it 0600. */
export async function secureAuthDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
  for (const name of await readdir(dir)) await chmod(join(dir, name), FILE_MODE);
}

/** Baileys' own file naming for a key file (`/` → `__`, `:` → `-`). */
const keyFileName = (type: string, id: string): string => `${type}-${id}.json`.replace(/\//g, '__').replace(/:/g, '-');

async function ownerOnly(path: string): Promise<void> {
  try {
    await chmod(path, FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // a removed key has no file
  }
}

/** An opened auth state: pass `state` to the socket and call `saveCreds` on `creds.update`. */
export interface OpenedAuthState {
  readonly state: AuthenticationState;
  saveCreds(): Promise<void>;
}

/**
 * Opens the account's auth state with Baileys' `useMultiFileAuthState` (loaded lazily with the
 * rest of Baileys). Baileys writes with the default mode; every write is followed by a chmod to
 * 0600, and the folder is 0700 from the start, so no other user can read a file even in between.
 */
export async function openAuthState(dir: string): Promise<OpenedAuthState> {
  await secureAuthDir(dir);
  const { useMultiFileAuthState } = await import('@whiskeysockets/baileys');
  const opened = await useMultiFileAuthState(dir);
  const keys = opened.state.keys;
  const state: AuthenticationState = {
    creds: opened.state.creds,
    keys: {
      get: (type, ids) => keys.get(type, ids),
      set: async (data) => {
        await keys.set(data);
        const files = Object.entries(data).flatMap(([type, entries]) => Object.keys(entries ?? {}).map((id) => keyFileName(type, id)));
        await Promise.all(files.map((name) => ownerOnly(join(dir, name))));
      },
      ...(keys.clear ? { clear: () => keys.clear!() } : {}),
    },
  };
  return {
    state,
    async saveCreds() {
      await opened.saveCreds();
      await ownerOnly(join(dir, 'creds.json'));
    },
  };
}

/** Deletes the account's auth files; true when there was something to delete. */
export async function removeAuth(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await rm(dir, { recursive: true, force: true });
  return names.length > 0;
}
