/**
 * The browser Origin rule's same-origin cases end to end (CONTROL-UI.md §3 rules 2 and 3): the
 * upgrade's `Host` header is what the gateway compares the `Origin` with. The test plays a browser
 * that loaded the UI from the gateway under another host name (headers set by hand; the socket
 * itself is on loopback), against a gateway without and one with
 * `gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { RawClient, connectParams } from '../helpers/raw-client.js';

const TOKEN = 'origin-test-token-0123456789';
let plain: GatewayProcess;
let fallback: GatewayProcess;

async function start(controlUi: Record<string, unknown>): Promise<GatewayProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-origin-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local', controlUi } }));
  return startGatewayProcess({ stateDir, token: TOKEN, env: { OPENCLAW_SKIP_CANVAS_HOST: '1' } });
}

beforeAll(async () => {
  [plain, fallback] = await Promise.all([start({}), start({ dangerouslyAllowHostHeaderOriginFallback: true })]);
}, 60_000);

afterAll(async () => {
  for (const gateway of [plain, fallback]) {
    await gateway?.stop();
    gateway?.cleanup();
  }
});

/** A browser-like connect (an Origin on the upgrade) with this Host; the connect response and, if refused, the close. */
async function browserConnect(gateway: GatewayProcess, origin: string, host: string) {
  const client = await RawClient.open(`ws://127.0.0.1:${gateway.port}`, { headers: { origin, host } });
  try {
    await client.event('connect.challenge');
    const res = await client.response(client.request('connect', connectParams({}, TOKEN)));
    const closed = res.ok === true ? null : await client.waitClosed();
    return { res, closed };
  } finally {
    client.close();
  }
}

describe('Origin equal to the Host header', () => {
  it('is refused for a public host name unless the fallback flag is on (then accepted, with a warning at start)', async () => {
    const host = `gateway.example.com:${plain.port}`;
    const refused = await browserConnect(plain, `https://gateway.example.com:${plain.port}`, host);
    expect(refused.res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', reason: 'origin not allowed' } } });
    expect(refused.closed?.code).toBe(1008);

    const accepted = await browserConnect(fallback, `https://gateway.example.com:${fallback.port}`, `gateway.example.com:${fallback.port}`);
    expect(accepted.res).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
    expect(fallback.output()).toMatch(/dangerouslyAllowHostHeaderOriginFallback is on/);
    expect(plain.output()).not.toMatch(/dangerouslyAllowHostHeaderOriginFallback/);
  });

  it('the flag does not open other origins: the Origin must name the Host exactly', async () => {
    const other = await browserConnect(fallback, 'https://evil.example', `gateway.example.com:${fallback.port}`);
    expect(other.res).toMatchObject({ ok: false, error: { details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' } } });
    const port = await browserConnect(fallback, 'https://gateway.example.com:1', `gateway.example.com:${fallback.port}`);
    expect(port.res).toMatchObject({ ok: false, error: { details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' } } });
  });

  it('is accepted without the flag when the host is private (a LAN IP, *.local, *.ts.net)', async () => {
    for (const name of ['192.168.1.5', 'gateway-box.local', 'gateway.tail1234.ts.net']) {
      const host = `${name}:${plain.port}`;
      const result = await browserConnect(plain, `http://${host}`, host);
      expect(result.res, name).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
    }
    // A page on a different private host is another origin.
    const cross = await browserConnect(plain, `http://192.168.1.6:${plain.port}`, `192.168.1.5:${plain.port}`);
    expect(cross.res).toMatchObject({ ok: false, error: { details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' } } });
  });
});
