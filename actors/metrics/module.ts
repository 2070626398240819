import type { GatewayModuleFactory } from '../gateway/module.js';
import { isAuthorized, methodNotAllowed, unauthorized } from '../openai-api/io.js';
import { createPrometheusRecorder, type PrometheusRecorder } from './prometheus-recorder.js';

/** The official path of the Prometheus scrape. */
export const PROMETHEUS_PATH = '/api/diagnostics/prometheus';

/**
 * `GET /api/diagnostics/prometheus`: the gateway's metrics in the Prometheus text format, behind
 * the gateway's own auth (the shared secret as a bearer token carries `operator.read`).
 * prom-client is imported (dynamically, it is external to the bundle) and the registry created on
 * the first authorized scrape, not before:
 * a gateway nobody scrapes loads nothing and records nothing. Counters count from that scrape
 * on (Prometheus' `rate()`/`increase()` treat it like a restart); gauges are read live.
 */
export function metricsModule(): GatewayModuleFactory {
  return (services) => {
    let recorder: Promise<PrometheusRecorder> | undefined;
    const load = () => (recorder ??= createPrometheusRecorder(services));
    return {
      name: 'metrics',
      routes: (app) => {
        app.all(PROMETHEUS_PATH, async (c) => {
          const request = c.req.raw;
          if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
          if (!isAuthorized(request, services.auth())) return unauthorized();
          const { registry } = await load();
          const body = await registry.metrics();
          return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': registry.contentType } });
        });
      },
      stop: async () => {
        if (recorder) (await recorder).close();
      },
    };
  };
}
