import { Hono } from 'hono';

/** What the HTTP probes need to know about the running gateway. */
export interface ProbeState {
  /** `starting`, `running` or `draining`. */
  phase(): 'starting' | 'running' | 'draining';
  uptimeMs(): number;
  readonly version: string;
  /** Event-loop figures for `/ready`. */
  eventLoop(): unknown;
}

/**
 * HTTP routes on the gateway port, written once against the fetch API and served by either
 * transport: liveness (`/health`, `/healthz`), start-up (`/startup`, `/startupz`) and readiness
 * (`/ready`, `/readyz`). Anything else is a plain-text 404, as the official gateway answers.
 */
export function createHttpRoutes(install: (app: Hono) => void, state: ProbeState): Hono {
  const app = new Hono();
  const live = () => ({ ok: true, status: 'live' });
  for (const path of ['/health', '/healthz']) app.get(path, (c) => c.json(live()));
  for (const path of ['/startup', '/startupz']) {
    app.get(path, (c) => {
      const phase = state.phase();
      const status = phase === 'running' ? 'started' : phase;
      return c.json({ ok: phase === 'running', status, version: state.version, uptimeMs: state.uptimeMs() }, phase === 'running' ? 200 : 503);
    });
  }
  for (const path of ['/ready', '/readyz']) {
    app.get(path, (c) => {
      const phase = state.phase();
      const failing = phase === 'running' ? [] : [phase];
      return c.json({ ready: failing.length === 0, failing, uptimeMs: state.uptimeMs(), eventLoop: state.eventLoop() }, failing.length === 0 ? 200 : 503);
    });
  }
  install(app);
  app.notFound((c) => c.text('Not Found', 404));
  return app;
}
