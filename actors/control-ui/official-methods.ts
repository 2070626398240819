import { statfsSync } from 'node:fs';
import { arch, cpus, freemem, hostname, loadavg, platform, release, totalmem, type as osType } from 'node:os';
import { dirname } from 'node:path';
import type { FactData } from '../../protocol/facts.js';
import type { SessionRow, SessionsListResult } from '../../protocol/methods/control-ui.js';
import { rebuildActiveRuns } from '../../store/active-runs.js';
import { readTranscript } from '../../store/transcript.js';
import { sessionStream, normalizeSessionKey, type GatewayServices, type MethodHandler } from '../gateway/methods/context.js';

/** A model the configured providers offer (resolved by bin/ from `models.providers`). */
export interface ConfiguredModel {
  readonly provider: string;
  readonly id: string;
  readonly name?: string;
  readonly contextWindow?: number;
  /** False when the provider has no credentials. */
  readonly hasCredentials: boolean;
}

/** What the official-UI methods need besides the gateway services. */
export interface OfficialMethodsOptions {
  readonly models: () => readonly ConfiguredModel[];
  /** Aborts a session's runs (the agent-run service); resolves with the aborted run ids. */
  readonly abort: (target: { sessionKey: string; runId?: string }) => Promise<readonly string[]>;
  /** The port the gateway listens on (for `system.info`). */
  readonly port: () => number;
}

const SESSION_PREFIX = 'session:';

/** Wire names of the methods below (each is in protocol/registry.ts). */
export const OFFICIAL_UI_METHODS = [
  'sessions.list', 'sessions.describe', 'sessions.subscribe', 'sessions.messages.subscribe', 'sessions.observer.visibility',
  'sessions.patch', 'sessions.abort', 'sessions.branches.list', 'sessions.companion.state', 'agent.identity.get', 'models.list',
  'models.authStatus', 'chat.metadata', 'question.list', 'update.status', 'exec.approval.list', 'plugin.approval.list',
  'openclaw.approval.list', 'exec.approvals.get', 'talk.catalog', 'tasks.list', 'progressCard.get', 'cron.list', 'cron.status',
  'diagnostics.lanes', 'environments.list', 'system.info', 'usage.status',
] as const;

/** One session row from its journal stream and the run facts it names. */
function sessionRow(services: GatewayServices, key: string, active: ReadonlySet<string>): SessionRow {
  const stream = sessionStream(key);
  const transcript = readTranscript(services.journal, stream, { keep: 1 });
  const first = services.journal.readStream(stream, 0, 1)[0];
  const last = transcript.messages.at(-1);
  const agentId = transcript.agentId ?? /^agent:([^:]+):/.exec(key)?.[1] ?? services.defaultAgentId;
  const lastRunId = last?.runId ?? null;
  const started = lastRunId ? services.journal.readStream(`run:${lastRunId}`, 0, 2) : [];
  const accepted = started.find((e) => e.type === 'run.accepted');
  const acceptedData = accepted?.data as FactData<'run.accepted'> | undefined;
  const running = lastRunId !== null && active.has(lastRunId);
  const updatedAt = last?.ts ?? first?.ts ?? 0;
  const runtimeMs = !running && accepted && last ? Math.max(0, last.ts - accepted.ts) : undefined;
  return {
    key,
    agentId,
    ...(transcript.sessionId ? { sessionId: transcript.sessionId } : {}),
    kind: 'direct',
    isMain: key === `agent:${agentId}:main`,
    isBackground: false,
    chatType: 'direct',
    createdAt: first?.ts ?? 0,
    updatedAt,
    lastInteractionAt: updatedAt,
    archived: false,
    pinned: false,
    unread: false,
    ...(lastRunId ? { status: running ? ('running' as const) : ('done' as const), lastRunId } : {}),
    ...(runtimeMs !== undefined ? { runtimeMs } : {}),
    ...(last ? { lastMessagePreview: last.text.slice(0, 200) } : {}),
    messageCount: transcript.skipped + transcript.messages.length,
    ...(acceptedData?.provider ? { modelProvider: acceptedData.provider } : {}),
    ...(acceptedData?.model ? { model: acceptedData.model } : {}),
  };
}

function listSessions(services: GatewayServices, agentId: string | undefined): SessionRow[] {
  const active = new Set(Object.keys(rebuildActiveRuns(services.journal).active));
  return services.journal
    .streamsWithPrefix(SESSION_PREFIX)
    .map(({ stream }) => sessionRow(services, stream.slice(SESSION_PREFIX.length), active))
    .filter((row) => !agentId || row.agentId === agentId)
    .sort((a, b) => b.updatedAt - a.updatedAt);
}

const defaultModel = (services: GatewayServices) => {
  const ref = services.agents.find((a) => a.id === services.defaultAgentId)?.model ?? null;
  const slash = ref?.indexOf('/') ?? -1;
  return { modelProvider: ref && slash > 0 ? ref.slice(0, slash) : null, model: ref && slash > 0 ? ref.slice(slash + 1) : ref, contextTokens: null };
};

/** The official Control UI's shell and page methods, with real data where the gateway has it. */
export function officialMethods(services: GatewayServices, options: OfficialMethodsOptions): Record<(typeof OFFICIAL_UI_METHODS)[number], MethodHandler> {
  const models = () =>
    options.models().map((m) => ({
      id: m.id, name: m.name ?? m.id, provider: m.provider, contextWindow: m.contextWindow ?? null, reasoning: false, tags: [],
      thinkingLevels: [], thinkingDefault: null, manualSelectionAllowed: true, available: m.hasCredentials,
    }));
  const keyOf = (raw: unknown): string => {
    const p = raw as { key?: string; sessionKey?: string };
    return normalizeSessionKey(p.key ?? p.sessionKey, services.defaultAgentId);
  };
  return {
    'sessions.list': (_c, raw): SessionsListResult => {
      const p = raw as { agentId?: string; limit?: number; offset?: number };
      const all = listSessions(services, p.agentId);
      const offset = p.offset ?? 0;
      const limit = p.limit ?? 200;
      const sessions = all.slice(offset, offset + limit);
      return {
        ts: services.now(), path: services.journal.path, count: sessions.length, totalCount: all.length, limitApplied: limit,
        hasMore: offset + limit < all.length, nextOffset: offset + limit < all.length ? offset + limit : null, owners: [],
        defaults: defaultModel(services), sessions,
      };
    },
    'sessions.describe': (_c, raw) => {
      const key = keyOf(raw);
      if (services.journal.streamPosition(sessionStream(key)) === 0) return { session: null };
      return { session: sessionRow(services, key, new Set(Object.keys(rebuildActiveRuns(services.journal).active))) };
    },
    'sessions.subscribe': () => ({ subscribed: true }),
    'sessions.messages.subscribe': (_c, raw) => {
      const key = keyOf(raw);
      return { subscribed: true, key, approvalReplay: { sessionKey: key, updatedAtMs: services.now(), approvals: [], truncated: false } };
    },
    'sessions.observer.visibility': () => ({ ok: true }),
    'sessions.patch': (_c, raw) => ({ ok: true, key: keyOf(raw) }),
    'sessions.abort': async (_c, raw) => {
      const key = keyOf(raw);
      const runId = (raw as { runId?: string }).runId;
      const aborted = await options.abort(runId ? { sessionKey: key, runId } : { sessionKey: key });
      return { ok: true, abortedRunId: aborted[0] ?? null, status: aborted.length > 0 ? 'aborted' : 'idle' };
    },
    'sessions.branches.list': () => ({ branches: [] }),
    'sessions.companion.state': () => ({ state: 'none' }),
    'agent.identity.get': (_c, raw) => {
      const agentId = (raw as { agentId?: string }).agentId ?? services.defaultAgentId;
      const agent = services.agents.find((a) => a.id === agentId);
      const name = agent?.name ?? 'Assistant';
      return { agentId, name, nameSource: agent?.name ? 'config' : 'default', avatar: name.slice(0, 1).toUpperCase() };
    },
    'models.list': () => ({ models: models(), accountSelection: null }),
    'models.authStatus': () => {
      const providers = [...new Map(options.models().map((m) => [m.provider, m])).values()];
      return {
        ts: services.now(),
        providers: providers.map((m) => ({
          provider: m.provider, authProvider: m.provider, displayName: m.provider, status: m.hasCredentials ? 'ok' : 'missing', profiles: [],
          apiKey: { source: m.hasCredentials ? 'config' : null },
        })),
        providerCapabilities: providers.map((m) => ({ provider: m.provider, apiKeySupported: m.provider !== 'offline', quickApiKeySetup: false })),
      };
    },
    'chat.metadata': () => ({ models: models(), commands: [], swarmEnabled: false, accountSelection: null, runtimeSelectionLocked: false }),
    'question.list': () => ({ questions: [] }),
    'update.status': () => ({ sentinel: null, updateAvailable: null, effectiveChannel: 'stable', schedule: { channel: 'stable', autoEnabled: false, install: { kind: 'none' } } }),
    'exec.approval.list': () => [],
    'plugin.approval.list': () => [],
    'openclaw.approval.list': () => [],
    'exec.approvals.get': () => ({
      path: null, exists: false, file: { version: 1, socket: { path: null }, defaults: {}, agents: {} }, hash: null,
      resolvedDefaults: { security: 'deny', ask: 'off', askFallback: 'deny', autoAllowSkills: false },
    }),
    'talk.catalog': () => ({ modes: [], transports: [], brains: [], speech: null, transcription: null, realtime: null }),
    'tasks.list': () => ({ tasks: [] }),
    'progressCard.get': () => ({ card: null }),
    'cron.list': (_c, raw) => {
      const limit = (raw as { limit?: number }).limit ?? 50;
      return { jobs: [], snapshotRevision: 0, total: 0, offset: 0, limit, hasMore: false, nextOffset: null };
    },
    'cron.status': () => ({ enabled: false, triggersEnabled: false, storePath: null, storage: 'none', sqlitePath: null, jobs: 0, nextWakeAtMs: null }),
    'diagnostics.lanes': () => {
      const bySession = new Map<string, number>();
      for (const run of Object.values(rebuildActiveRuns(services.journal).active)) bySession.set(run.sessionKey, (bySession.get(run.sessionKey) ?? 0) + 1);
      return {
        ts: services.now(),
        lanes: [...bySession].map(([lane, count]) => ({
          lane, queuedCount: Math.max(0, count - 1), activeCount: Math.min(1, count), maxConcurrent: 1, draining: false, generation: 0, blockedBy: null,
        })),
      };
    },
    'environments.list': () => ({
      environments: [{
        id: 'gateway', type: 'local', label: hostname(), status: 'available', platform: platform(), sessionHost: true, trust: 'owner',
        capabilities: ['sessions'], desktopSetup: { state: 'unavailable', detail: null },
      }],
    }),
    'system.info': () => systemInfo(services, options.port()),
    'usage.status': () => ({ updatedAt: services.now(), providers: [], refreshing: false }),
  };
}

function systemInfo(services: GatewayServices, port: number) {
  const memory = process.memoryUsage();
  const diskPath = dirname(services.journal.path);
  let disk: { path: string; totalBytes: number; availableBytes: number } | null = null;
  try {
    const stats = statfsSync(diskPath);
    disk = { path: diskPath, totalBytes: stats.blocks * stats.bsize, availableBytes: stats.bavail * stats.bsize };
  } catch {
    disk = null; // `:memory:` journals and odd mounts: no disk figures
  }
  const cpuList = cpus();
  return {
    machineName: hostname(), hostname: hostname(), platform: platform(), release: release(), arch: arch(), osLabel: `${osType()} ${release()}`,
    port, nodeVersion: process.version, pid: services.pid, processInstanceId: `${services.pid}-${services.startedAt}`,
    uptimeMs: services.now() - services.startedAt, cpuCount: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown',
    loadAverage: loadavg(), memoryTotalBytes: totalmem(), memoryFreeBytes: freemem(),
    processMemory: {
      rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external, arrayBuffersBytes: memory.arrayBuffers,
    },
    disks: disk ? [disk] : [], diskTotalBytes: disk?.totalBytes ?? null, diskAvailableBytes: disk?.availableBytes ?? null, diskPath: disk?.path ?? null,
    defaultAgentUtilityModel: { status: 'unavailable' },
  };
}
