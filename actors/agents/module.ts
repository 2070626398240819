import type { GatewayModuleFactory } from '../gateway/module.js';
import { AgentRunService, type AgentRunsOptions } from './runs.js';
import { runMethods } from './run-methods.js';
import type { RunService } from './run-service.js';
import { sessionMessageEvent } from './session-message-event.js';

/** The agent-runs module and the RunService other modules (the HTTP API) call. */
export interface AgentRuns {
  /** Pass to `startGateway({ modules })` before any module that uses `runs`. */
  readonly module: GatewayModuleFactory;
  /** Usable once the gateway started (calls before that throw). */
  readonly runs: RunService;
}

/**
 * Agent runs as a gateway module: the `agent`, `agent.wait` and `chat.*` methods, `agent`/`chat`
 * events derived from committed `run:*` facts, and a RunService for other modules.
 */
export function agentRuns(options: AgentRunsOptions): AgentRuns {
  let service: AgentRunService | undefined;
  const started = (): AgentRunService => {
    if (!service) throw new Error('agent runs: the gateway has not started the module yet');
    return service;
  };
  const runs: RunService = {
    start: (request) => started().start(request),
    subscribe: (runId, listener) => started().subscribe(runId, listener),
    wait: (runId, timeoutMs) => started().wait(runId, timeoutMs),
    abort: (target) => started().abort(target),
    embed: (input, model) => started().embed(input, model),
    agentIds: () => started().agentIds(),
  };
  const module: GatewayModuleFactory = (services) => {
    const created = new AgentRunService(services, options);
    service = created;
    return {
      name: 'agent-runs',
      methods: runMethods(created),
      eventOf: (entry) => created.eventsOf(entry) ?? sessionMessageEvent(entry),
      actors: () => created.liveActors(),
      stop: () => created.stop(),
    };
  };
  return { module, runs };
}
