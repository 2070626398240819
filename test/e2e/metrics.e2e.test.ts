/**
 * `GET /api/diagnostics/prometheus` (issue 11 item 5): behind the gateway's auth, the Prometheus
 * text format, parsed by an independent parser (and `promtool check metrics` where installed),
 * and counters that move under load.
 */
import { describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/raw-client.js';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { histogramCount, parseScrape, promtoolCheck, promtoolPath, sample } from '../helpers/prometheus.js';

const { gateway } = useSharedGateway();
const PATH = '/api/diagnostics/prometheus';
const promtool = promtoolPath();

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${gateway.port}${PATH}`, { headers: { authorization: `Bearer ${gateway.token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.text();
}

describe('Prometheus metrics', () => {
  it('refuses a scrape without the gateway token (401) or with another method (405)', async () => {
    const url = `http://127.0.0.1:${gateway.port}${PATH}`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { message: 'Unauthorized', type: 'unauthorized' } });
    const wrong = await fetch(url, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const post = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${gateway.token}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('serves a scrape that an independent parser reads, with every family the issue names', async () => {
    const families = parseScrape(await scrape());
    for (const name of [
      'openclaw_gateway_build_info', 'openclaw_gateway_connections', 'openclaw_gateway_rpc_requests_total',
      'openclaw_gateway_rpc_first_response_seconds', 'openclaw_gateway_broadcast_recipients', 'openclaw_gateway_slow_consumer_closes_total',
      'openclaw_journal_append_seconds', 'openclaw_journal_size_bytes', 'openclaw_run_completed_total', 'openclaw_run_duration_seconds',
      'openclaw_channel_link_state', 'openclaw_gateway_event_loop_delay_seconds', 'openclaw_process_memory_bytes',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get('openclaw_gateway_rpc_first_response_seconds')?.type).toBe('HISTOGRAM');
    expect(sample(families, 'openclaw_journal_size_bytes', { file: 'db' })).toBeGreaterThan(0);
    expect(sample(families, 'openclaw_gateway_build_info')).toBe(1);
  });

  it.skipIf(promtool === undefined)('passes `promtool check metrics` (skipped only when promtool is not installed)', async () => {
    const text = await scrape();
    expect(() => promtoolCheck(promtool as string, text)).not.toThrow();
  });

  it('moves under load: connections by role, requests by method and outcome, fan-out, journal, runs', async () => {
    const beforeText = await scrape();
    const before = parseScrape(beforeText);
    const a = await connectClient(gateway.url);
    const b = await connectClient(gateway.url);
    try {
      const calls = Array.from({ length: 40 }, () => a.client.call('health'));
      await Promise.all(calls);
      for (let i = 0; i < 10; i += 1) {
        const res = await a.client.call('system-event', { text: `load ${i}`, instanceId: `load-${i}` });
        expect(res.ok).toBe(true);
      }
      const unknown = await a.client.call('agent', { message: 'hi', agentId: 'nobody', idempotencyKey: 'metrics-unknown' });
      expect(unknown.ok).toBe(false);
      const runId = a.client.request('agent', { message: 'hello metrics', idempotencyKey: 'metrics-run-1' });
      expect((await a.client.response(runId)).ok).toBe(true);
      const final = await a.client.response(runId, 15_000);
      expect(final.ok).toBe(true);
      const midText = await scrape();
      const mid = parseScrape(midText);
      const countDelta = (name: string, labels: Record<string, string> = {}) => histogramCount(midText, name, labels) - histogramCount(beforeText, name, labels);
      expect(sample(mid, 'openclaw_gateway_connections', { role: 'operator' })).toBeGreaterThanOrEqual(2);
      const delta = (name: string, labels: Record<string, string> = {}) => sample(mid, name, labels) - sample(before, name, labels);
      expect(delta('openclaw_gateway_rpc_requests_total', { method: 'health', outcome: 'ok' })).toBeGreaterThanOrEqual(40);
      expect(delta('openclaw_gateway_rpc_requests_total', { method: 'system-event', outcome: 'ok' })).toBe(10);
      expect(delta('openclaw_gateway_rpc_requests_total', { method: 'agent', outcome: 'error' })).toBe(1);
      expect(delta('openclaw_gateway_rpc_requests_total', { method: 'agent', outcome: 'ok' })).toBe(1);
      expect(countDelta('openclaw_gateway_rpc_first_response_seconds', { method: 'health' })).toBeGreaterThanOrEqual(40);
      expect(delta('openclaw_gateway_broadcast_frames_total', { kind: 'fact' })).toBeGreaterThanOrEqual(20); // 10 presence changes × 2 sockets
      expect(delta('openclaw_journal_appended_facts_total')).toBeGreaterThanOrEqual(12);
      expect(countDelta('openclaw_journal_append_seconds')).toBeGreaterThan(0);
      expect(delta('openclaw_run_accepted_total')).toBe(1);
      expect(delta('openclaw_run_completed_total', { outcome: 'ok' })).toBe(1);
      expect(countDelta('openclaw_run_duration_seconds', { outcome: 'ok' })).toBe(1);
    } finally {
      a.client.close();
      b.client.close();
    }
  });
});
