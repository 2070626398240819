import type { Context, Hono } from 'hono';
import { secretsEqual } from '../../machines/connection-rules.js';
import { SERVER_VERSION } from '../../protocol/version.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import { officialMethods, type OfficialMethodsOptions } from './official-methods.js';
import { acceptsHtml, ControlUiFiles, defaultControlUiRoot, type StaticAnswer } from './static.js';

/** How the Control UI is served (`gateway.controlUi.*`, resolved by bin/). */
export interface ControlUiOptions extends OfficialMethodsOptions {
  /** `gateway.controlUi.basePath` ('' or `/openclaw`, no trailing slash). */
  readonly basePath: string;
  /** `gateway.controlUi.root`: a custom built UI (served `no-cache`); default the one `npm run build` made. */
  readonly root?: string;
}

/** Paths that are never the Control UI, whatever `Accept` says. */
const NOT_UI = /^\/(?:api|v1|tools|hooks|j|plugins|health|healthz|ready|readyz|startup|startupz)(?:\/|$)|^\/__openclaw__\/canvas(?:\/|$)/;

/** Normalizes `gateway.controlUi.basePath`: '' or `/x/y` without a trailing slash. */
export function normalizeBasePath(raw: string | undefined): string {
  const trimmed = (raw ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '/') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

const respond = (answer: StaticAnswer): Response =>
  new Response(answer.body as ConstructorParameters<typeof Response>[0], { status: answer.status, headers: answer.headers });

/**
 * The Control UI as a gateway module: the built SPA on the gateway port (CONTROL-UI.md §1), its
 * bootstrap JSON, and the methods the official Control UI calls (§9.3). Not created at all when
 * `gateway.controlUi.enabled` is false.
 */
export function controlUiModule(options: ControlUiOptions): GatewayModuleFactory {
  return (services) => {
    const root = options.root ?? defaultControlUiRoot();
    const base = normalizeBasePath(options.basePath);
    const files = root ? new ControlUiFiles(root, base, options.root === undefined) : undefined;
    if (!files) services.logger.warn('control ui: no built UI found (run `npm run build`); / answers 404');
    return {
      name: 'control-ui',
      methods: officialMethods(services, options),
      routes: (app: Hono) => {
        if (!files) return;
        const configPaths = ['/control-ui-config.json', '/__openclaw__/control-ui-config.json', '/__openclaw/control-ui-config.json'];
        for (const path of configPaths) app.on(['GET', 'HEAD'], `${base}${path}`, (c) => bootstrapConfig(c, services, base));
        app.on(['GET', 'HEAD'], base === '' ? '*' : `${base}/*`, async (c, next) => {
          const answer = await serve(files, base, c.req.raw);
          if (!answer) return next();
          return respond(answer);
        });
        if (base !== '') app.on(['GET', 'HEAD'], base, (c) => respond(files.indexAnswer(c.req.method === 'HEAD')));
      },
    };
  };
}

async function serve(files: ControlUiFiles, base: string, request: Request): Promise<StaticAnswer | null> {
  const url = new URL(request.url);
  const pathname = url.pathname;
  if (NOT_UI.test(pathname)) return null;
  if (base !== '' && !pathname.startsWith(`${base}/`)) return null;
  const relative = pathname.slice(base.length + 1);
  const head = request.method === 'HEAD';
  if (relative === '') return files.indexAnswer(head);
  const asset = await files.file(relative, head, url.search);
  if (asset) return asset;
  // A missing file with an extension is a 404, not the app; every other route is the SPA.
  if (/\.[a-z0-9]+$/i.test(relative) || !acceptsHtml(request.headers.get('accept') ?? undefined)) return null;
  return files.indexAnswer(head);
}

/** `/control-ui-config.json`: needs the gateway's shared secret as a bearer token. */
function bootstrapConfig(c: Context, services: GatewayServices, base: string): Response {
  const auth = services.auth();
  if (auth.mode !== 'none') {
    const header = c.req.header('authorization')?.trim() ?? '';
    const given = /^bearer\s/i.test(header) ? header.slice(7).trim() : '';
    if (!given || !auth.secret || !secretsEqual(given, auth.secret)) {
      return c.json({ error: { message: 'Unauthorized', type: 'unauthorized' } }, 401);
    }
  }
  const agent = services.agents.find((a) => a.id === services.defaultAgentId);
  const name = agent?.name ?? 'Assistant';
  const body = {
    basePath: base, assistantName: name, assistantAvatar: name.slice(0, 1).toUpperCase(), assistantAvatarSource: null,
    assistantAvatarStatus: null, assistantAvatarReason: null, assistantAgentId: services.defaultAgentId, serverVersion: SERVER_VERSION,
    serverBuildId: SERVER_VERSION, embedSandbox: 'scripts', allowExternalEmbedUrls: false, automaticallyFetchFavicons: false,
    communityInvite: false, terminalEnabled: false, cliAgentsEnabled: false, pluginAssetsRequireAuth: true, pluginFrameGrants: [],
  };
  return c.req.method === 'HEAD' ? c.body(null, 200) : c.json(body);
}
