/**
 * The metrics seam in process: nothing is recorded before the first scrape, and the channel link
 * states a channel module sets (`services.metrics.channelLinks`) show as a gauge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../actors/gateway/system.js';
import type { GatewayServices } from '../../../actors/gateway/methods/context.js';
import { createLogger } from '../../../actors/logs/logger.js';
import { metricsModule, PROMETHEUS_PATH } from '../../../actors/metrics/module.js';
import { parseScrape, promtoolCheck, promtoolPath } from '../../helpers/prometheus.js';

const TOKEN = 'metrics-token-0123456789';

describe('metrics seam', () => {
  let gateway: RunningGateway;
  let dir: string;
  let services: GatewayServices | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-metrics-'));
    gateway = await startGateway({
      port: 0,
      hosts: ['127.0.0.1'],
      auth: { mode: 'token', secret: TOKEN },
      journalPath: join(dir, 'journal.sqlite'),
      transport: 'ws',
      tickIntervalMs: 30_000,
      handshakeTimeoutMs: 15_000,
      healthRefreshMs: 60_000,
      agents: [{ id: 'main', workspace: dir, isDefault: true }],
      logger: createLogger({ level: 'error', write: () => undefined }),
      modules: [
        metricsModule(),
        (given) => {
          services = given; // what a channel module receives
          return { name: 'fake-channel-module' };
        },
      ],
    });
  });
  afterAll(async () => {
    await gateway.stop({ reason: 'test done' });
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.port}${PROMETHEUS_PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('records nothing until the first authorized scrape', async () => {
    expect(services?.metrics.sink).toBeUndefined();
    const refused = await fetch(`http://127.0.0.1:${gateway.port}${PROMETHEUS_PATH}`);
    expect(refused.status).toBe(401);
    expect(services?.metrics.sink).toBeUndefined();
    await scrape();
    expect(services?.metrics.sink).toBeDefined();
  });

  it('shows the link state each channel account last set, and forgets removed accounts', async () => {
    const links = services?.metrics.channelLinks;
    links?.set('telegram', 'default', 'starting');
    links?.set('telegram', 'default', 'connected');
    links?.set('whatsapp', 'work', 'reconnecting');
    links?.set('whatsapp', 'old', 'blocked');
    links?.remove('whatsapp', 'old');
    const text = await scrape();
    const family = parseScrape(text).get('openclaw_channel_link_state');
    expect(family?.type).toBe('GAUGE');
    expect(family?.metrics.map((m) => ({ ...m.labels, value: m.value }))).toEqual([
      { channel: 'telegram', account: 'default', state: 'connected', value: '1' },
      { channel: 'whatsapp', account: 'work', state: 'reconnecting', value: '1' },
    ]);
    const promtool = promtoolPath();
    if (promtool) promtoolCheck(promtool, text);
  });
});
