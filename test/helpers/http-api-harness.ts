import type { Hono } from 'hono';
import { GatewayMetrics } from '../../actors/gateway/metrics-hooks.js';
import { createHttpRoutes } from '../../actors/gateway/http-routes.js';
import type { EndpointSwitches, HttpApiDeps } from '../../actors/openai-api/deps.js';
import { installHttpApi } from '../../actors/openai-api/module.js';
import { createLogger } from '../../actors/logs/logger.js';
import type { GatewayServices } from '../../actors/gateway/methods/context.js';
import { agentToolRegistry } from '../../actors/tools/agent-registry.js';
import type { ToolPolicy, ToolRegistry } from '../../actors/tools/registry.js';
import { Journal } from '../../store/journal.js';
import { rebuildGatewayView } from '../../store/gateway-view.js';
import { FakeRunService } from './fake-run-service.js';

export const TOKEN = 'http-test-token';

/** The gateway's real router with the HTTP API installed over a fake RunService and an in-memory journal. */
export interface HttpApiHarness {
  readonly app: Hono;
  readonly runs: FakeRunService;
  readonly tools: ToolRegistry;
  readonly journal: Journal;
  readonly logs: string[];
  endpoints: EndpointSwitches;
  toolPolicy: ToolPolicy;
  /** Sends one request; `token: null` sends no Authorization header. */
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null }): Promise<Response>;
  close(): void;
}

/** Builds a harness; both endpoint families on unless `endpoints` says otherwise. */
export function httpApiHarness(options: { endpoints?: EndpointSwitches; agents?: { defaultId: string; ids: readonly string[] } } = {}): HttpApiHarness {
  const journal = Journal.open(':memory:');
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const runs = new FakeRunService(options.agents, journal);
  const agentIds = runs.agentIds();
  const services: GatewayServices = {
    journal,
    view: () => rebuildGatewayView(journal),
    liveHealth: () => {
      throw new Error('not used by the HTTP API');
    },
    agents: agentIds.ids.map((id) => ({ id, workspace: '/tmp', isDefault: id === agentIds.defaultId })),
    defaultAgentId: agentIds.defaultId,
    startedAt: Date.now(),
    version: 'test',
    pid: process.pid,
    transportKind: () => 'ws',
    connectionCount: () => 0,
    now: Date.now,
    logger,
    auth: () => ({ mode: 'token', secret: TOKEN }),
    broadcast: () => undefined,
    sendTo: () => false,
    inspectOptions: () => ({}),
    metrics: new GatewayMetrics(() => ({})),
  };
  const tools = agentToolRegistry(services, () => 0);
  const state = { endpoints: options.endpoints ?? { chatCompletions: true, responses: true }, toolPolicy: {} as ToolPolicy };
  const deps: HttpApiDeps = {
    runs: () => runs,
    auth: services.auth,
    endpoints: () => state.endpoints,
    tools,
    toolPolicy: () => state.toolPolicy,
    services,
  };
  const app = createHttpRoutes((router) => installHttpApi(router, deps), {
    phase: () => 'running',
    uptimeMs: () => 0,
    version: 'test',
    eventLoop: () => null,
  });
  return {
    app,
    runs,
    tools,
    journal,
    logs,
    get endpoints() {
      return state.endpoints;
    },
    set endpoints(value) {
      state.endpoints = value;
    },
    get toolPolicy() {
      return state.toolPolicy;
    },
    set toolPolicy(value) {
      state.toolPolicy = value;
    },
    call: async (path, init = {}) => {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      const token = init.token === undefined ? TOKEN : init.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] = 'application/json';
      }
      const method = init.method ?? (body ? 'POST' : 'GET');
      return app.fetch(new Request(`http://127.0.0.1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
    },
    close: () => journal.close(),
  };
}

/** The `data:` payloads (and `event:` names) of an SSE body, in order. */
export async function readSse(response: Response): Promise<Array<{ event?: string; data: string }>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return event ? { event, data } : { data };
    });
}
