/**
 * HTTP probes on the gateway port (PROTOCOL.md §9, §9.1): unauthenticated liveness and readiness
 * as JSON, and a plain-text 404 for anything unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';

let gateway: GatewayProcess;
const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${gateway.port}${path}`, init);

beforeAll(async () => {
  gateway = await startGatewayProcess();
});
afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

describe('HTTP probes', () => {
  it.each(['/health', '/healthz'])('%s answers 200 {"ok":true,"status":"live"}', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true, status: 'live' });
  });

  it.each(['/ready', '/readyz'])('%s answers 200 {"ready":true,"failing":[],…}', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ ready: true, failing: [], uptimeMs: expect.any(Number) });
  });

  it.each(['/startup', '/startupz'])('%s answers 200 {"ok":true,"status":"started",…}', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, status: 'started', version: expect.any(String), uptimeMs: expect.any(Number) });
  });

  it('answers HEAD /health with 200 and no body', async () => {
    const res = await get('/health', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it.each(['/nope', '/v1/chat/completions', '/api/v1/admin/rpc'])('answers %s with 404 "Not Found"', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Not Found');
  });

  it('needs no credentials', async () => {
    const res = await get('/readyz', { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(200);
  });
});
