import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireAccountLock, WhatsAppAccountLockedError } from '../../../../actors/channels/whatsapp/auth-lock.js';
import { openAuthState, readAuthSummary, removeAuth, whatsappAuthDir } from '../../../../actors/channels/whatsapp/auth-store.js';
import { seedLinkedCreds } from '../../../helpers/whatsapp-socket.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('WhatsApp auth files', () => {
  let state: string;
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'openclaw-wa-auth-'));
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('keeps Baileys multi-file auth under the state dir, folder 0700 and every file 0600', async () => {
    const dir = whatsappAuthDir(state, 'default');
    expect(dir).toBe(join(state, 'credentials', 'whatsapp', 'default'));
    const auth = await openAuthState(dir);
    await auth.saveCreds();
    await auth.state.keys.set({ 'pre-key': { '1': { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } }, session: { '15551234567:1.0': Buffer.from('s') } });
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['creds.json', 'pre-key-1.json', 'session-15551234567-1.0.json']);
    expect(mode(dir)).toBe(0o700);
    for (const file of files) expect(mode(join(dir, file)), file).toBe(0o600);
    expect(await readAuthSummary(dir)).toMatchObject({ linked: false, self: { e164: null, jid: null, lid: null } });
  });

  it('reads the linked device from creds.me without loading a socket, and logout removes the files', async () => {
    const dir = whatsappAuthDir(state, 'work');
    expect(await readAuthSummary(dir)).toEqual({ linked: false, authWrittenAt: null, self: { e164: null, jid: null, lid: null } });
    await seedLinkedCreds(dir);
    const summary = await readAuthSummary(dir);
    expect(summary).toMatchObject({ linked: true, self: { e164: '+15550001111', jid: '15550001111:7@s.whatsapp.net', lid: null } });
    expect(summary.authWrittenAt).toBeGreaterThan(Date.now() - 60_000);
    expect(await removeAuth(dir)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(await removeAuth(dir)).toBe(false);
  });

  it('tightens an existing folder a user created with looser modes', async () => {
    const dir = whatsappAuthDir(state, 'loose');
    await seedLinkedCreds(dir);
    writeFileSync(join(dir, 'creds.json.bak'), '{}', { mode: 0o644 });
    await openAuthState(dir);
    expect(mode(join(dir, 'creds.json.bak'))).toBe(0o600);
  });
});

describe('WhatsApp account lock', () => {
  let state: string;
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'openclaw-wa-lock-'));
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('refuses a second owner while the first holds the account, and frees it on release', () => {
    const dir = whatsappAuthDir(state, 'default');
    const first = acquireAccountLock(dir);
    expect(mode(first.path)).toBe(0o600);
    expect(() => acquireAccountLock(dir)).toThrow(WhatsAppAccountLockedError);
    expect(() => acquireAccountLock(dir)).toThrow(`WhatsApp account is in use by another process (pid ${process.pid}`);
    first.release();
    const second = acquireAccountLock(dir);
    second.release();
    expect(existsSync(second.path)).toBe(false);
  });

  it('takes over a lock whose owner process is gone (kill -9)', async () => {
    const dir = whatsappAuthDir(state, 'default');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    mkdirSync(join(state, 'credentials', 'whatsapp'), { recursive: true });
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: child.pid, host: (await import('node:os')).hostname() }));
    expect(() => acquireAccountLock(dir)).toThrow(`pid ${child.pid}`);
    child.kill('SIGKILL');
    await exited;
    const lock = acquireAccountLock(dir);
    lock.release();
  });
});
