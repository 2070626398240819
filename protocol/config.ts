import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { runtimeAjv, validatorFor } from './ajv.js';
import { AgentsSection, ModelsSection, SessionSection } from './config-agents.js';
import { ChannelsSection } from './config-channels.js';
import { SecretInput, SecretsSection } from './secrets.js';
import { HooksSection } from './hooks.js';

/*
 * `openclaw.json` (JSON5). Sections keep unknown keys (`additionalProperties: true`): the
 * official CLI and other features own keys this gateway does not read, and a config written for
 * the official gateway must still load. Known keys are typed strictly; `describeConfigIssue`
 * turns a failure into `gateway.port: expected integer 0–65535, got "abc"`.
 */

const Open = { additionalProperties: true } as const;
const NonEmpty = Type.String({ minLength: 1 });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/** `gateway.reload.mode`: how a changed config file is applied (default hybrid). */
export const ReloadMode = Type.Union([Type.Literal('off'), Type.Literal('hot'), Type.Literal('restart'), Type.Literal('hybrid')]);
export type ReloadMode = Static<typeof ReloadMode>;

/** `logging.level` (the official names; `silent` turns the file log off). */
export const LogLevelName = Type.Union([
  Type.Literal('silent'), Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'),
  Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'),
]);
export type LogLevelName = Static<typeof LogLevelName>;

/** `gateway.auth.trustedProxy` (official docs/gateway/trusted-proxy-auth.md). */
export const TrustedProxySection = Type.Object(
  {
    userHeader: NonEmpty,
    requiredHeaders: Type.Optional(Type.Array(NonEmpty)),
    allowUsers: Type.Optional(Type.Array(NonEmpty)),
    allowLoopback: Type.Optional(Type.Boolean()),
    /** Accepted for official configs; device pairing does not use it here. */
    deviceAutoApprove: Type.Optional(
      Type.Object({ enabled: Type.Optional(Type.Boolean()), scopes: Type.Optional(Type.Array(NonEmpty)) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

/** `gateway.*` keys of `openclaw.json`. */
export const GatewaySection = Type.Object(
  {
    mode: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('remote')])),
    port: Type.Optional(Port),
    bind: Type.Optional(
      Type.Union([Type.Literal('loopback'), Type.Literal('lan'), Type.Literal('tailnet'), Type.Literal('auto'), Type.Literal('custom')]),
    ),
    customBindHost: Type.Optional(NonEmpty),
    auth: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('token'), Type.Literal('password'), Type.Literal('trusted-proxy')])),
          token: Type.Optional(SecretInput),
          password: Type.Optional(SecretInput),
          /** `mode: "trusted-proxy"`: who the proxy says the user is (closed): machines/trusted-proxy-rules.ts. */
          trustedProxy: Type.Optional(TrustedProxySection),
          /** Failed-auth limiter (official docs/gateway/config-gateway.md): actors/gateway/auth-rate-limit.ts. */
          rateLimit: Type.Optional(
            Type.Object(
              {
                maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
                windowMs: Type.Optional(Type.Integer({ minimum: 0 })),
                lockoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
                exemptLoopback: Type.Optional(Type.Boolean()),
              },
              { additionalProperties: false },
            ),
          ),
        },
        Open,
      ),
    ),
    /** Reverse proxies whose forwarded headers are trusted (addresses or CIDRs). */
    trustedProxies: Type.Optional(Type.Array(NonEmpty)),
    /** Accept `x-real-ip` when a trusted proxy sends no `x-forwarded-for`. */
    allowRealIpFallback: Type.Optional(Type.Boolean()),
    journal: Type.Optional(
      Type.Object({ synchronous: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('full')])) }, { additionalProperties: false }),
    ),
    reload: Type.Optional(
      Type.Object({ mode: Type.Optional(ReloadMode), debounceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })) }, Open),
    ),
    /** HTTP APIs on the gateway port; each endpoint family owns its `enabled` flag and options. */
    http: Type.Optional(
      Type.Object(
        {
          endpoints: Type.Optional(
            Type.Object(
              {
                /** `POST /v1/chat/completions` plus `/v1/models` and `/v1/embeddings` (default off). */
                chatCompletions: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, Open)),
                /** `POST /v1/responses` plus the same companions (default off). */
                responses: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, Open)),
              },
              Open,
            ),
          ),
        },
        Open,
      ),
    ),
    /** `/tools/invoke` policy: `deny` adds to the built-in HTTP deny list, `allow` re-admits from it. */
    tools: Type.Optional(Type.Object({ allow: Type.Optional(Type.Array(NonEmpty)), deny: Type.Optional(Type.Array(NonEmpty)) }, Open)),
    /** The Control UI on the gateway port, and where browsers may connect from. */
    controlUi: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          basePath: Type.Optional(Type.String()),
          root: Type.Optional(NonEmpty),
          allowedOrigins: Type.Optional(Type.Array(NonEmpty)),
          /** Accept a browser Origin equal to the request's Host header (any host; a security risk). */
          dangerouslyAllowHostHeaderOriginFallback: Type.Optional(Type.Boolean()),
        },
        Open,
      ),
    ),
    /** Nodes and devices (NODES.md §2): silent local pairing and the node command policy. */
    nodes: Type.Optional(
      Type.Object(
        {
          pairing: Type.Optional(Type.Object({ autoApproveLocal: Type.Optional(Type.Boolean()) }, Open)),
          commands: Type.Optional(Type.Object({ allow: Type.Optional(Type.Array(NonEmpty)), deny: Type.Optional(Type.Array(NonEmpty)) }, Open)),
        },
        Open,
      ),
    ),
    /** A remote gateway the CLI talks to (`gateway probe` probes it as `configRemote`). */
    remote: Type.Optional(
      Type.Object({ url: Type.Optional(NonEmpty), token: Type.Optional(NonEmpty), password: Type.Optional(NonEmpty) }, Open),
    ),
  },
  Open,
);

/** `canvasHost.*`: the canvas file server (own port, default gateway port + 4). */
export const CanvasHostSection = Type.Object(
  { enabled: Type.Optional(Type.Boolean()), port: Type.Optional(Port), root: Type.Optional(NonEmpty) },
  Open,
);

/** `logging.*`: the JSONL file log (`<state>/logs/gateway.log` by default) and its rotation. */
export const LoggingSection = Type.Object(
  {
    level: Type.Optional(LogLevelName),
    file: Type.Optional(NonEmpty),
    maxFileBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
    maxFiles: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  Open,
);

/** The config file (JSON5). */
export const GatewayFileConfig = Type.Object(
  {
    gateway: Type.Optional(GatewaySection),
    canvasHost: Type.Optional(CanvasHostSection),
    logging: Type.Optional(LoggingSection),
    commands: Type.Optional(Type.Object({ restart: Type.Optional(Type.Boolean()) }, Open)),
    agents: Type.Optional(AgentsSection),
    models: Type.Optional(ModelsSection),
    session: Type.Optional(SessionSection),
    /** Telegram, WhatsApp (protocol/config-channels.ts): closed sections, unlike the rest. */
    channels: Type.Optional(ChannelsSection),
    /** Plugins; the bundled ones this gateway implements have closed entries (others are kept as they are). */
    plugins: Type.Optional(
      Type.Object(
        {
          entries: Type.Optional(
            Type.Object(
              {
                /** `POST /api/v1/admin/rpc` (default off). */
                'admin-http-rpc': Type.Optional(
                  Type.Object({ enabled: Type.Optional(Type.Boolean()), config: Type.Optional(Type.Object({}, { additionalProperties: false })) }, { additionalProperties: false }),
                ),
              },
              Open,
            ),
          ),
        },
        Open,
      ),
    ),
    /** Inbound HTTP hooks (closed, default off): protocol/hooks.ts. */
    hooks: Type.Optional(HooksSection),
    /** SecretRef providers and defaults (closed): protocol/secrets.ts. */
    secrets: Type.Optional(SecretsSection),
  },
  Open,
);
export type GatewayFileConfig = Static<typeof GatewayFileConfig>;

/*
 * The file is validated section by section, each section with a validator of its own (and
 * `channels.*` channel by channel), in the schema's key order. Generated validators are large
 * functions that V8 compiles on their first call: one validator for the whole file would compile
 * every channel's schema at every start; this way a start compiles only the sections its file
 * has. The verdict and the first error are those of the whole schema (paths are prefixed).
 */
interface SectionCheck {
  readonly path: readonly string[];
  readonly validate: ValidateFunction;
}
const sectionChecks = (schema: TSchema, path: readonly string[], split: (key: string) => boolean): SectionCheck[] =>
  Object.entries(schema.properties as Record<string, TSchema>).flatMap(([key, section]) =>
    split(key) && section.properties
      ? sectionChecks(section, [...path, key], () => false)
      : [{ path: [...path, key], validate: validatorFor(section) }],
  );
const SECTION_CHECKS = sectionChecks(GatewayFileConfig, [], (key) => key === 'channels');

const pointer = (path: readonly string[]) => path.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function validateConfig(value: unknown): ErrorObject[] | null {
  const rootType = (instancePath: string): ErrorObject[] => [
    { instancePath, schemaPath: '#/type', keyword: 'type', params: { type: 'object' }, message: 'must be object' },
  ];
  if (!isRecord(value)) return rootType('');
  // `channels` itself is an open object; its channel sections are checked one by one below.
  if (value.channels !== undefined && !isRecord(value.channels)) return rootType('/channels');
  for (const { path, validate } of SECTION_CHECKS) {
    let section: unknown = value;
    for (const key of path) section = isRecord(section) ? section[key] : undefined;
    if (section === undefined || validate(section)) continue;
    const prefix = pointer(path);
    return (validate.errors ?? []).map((error) => ({ ...error, instancePath: prefix + error.instancePath }));
  }
  return null;
}

let lastChecked: unknown;
let lastErrors: ErrorObject[] | null = null;
/** Type guard of the config file; `lastError()` names the first problem with its dotted path. */
export const isGatewayFileConfig = Object.assign(
  (value: unknown): value is GatewayFileConfig => {
    lastChecked = value;
    lastErrors = validateConfig(value);
    return lastErrors === null;
  },
  { lastError: (): string => describeConfigIssue(lastErrors, lastChecked) },
);

/** Keys whose values never appear in messages or logs. */
export const SECRET_KEY = /^(token|password|apiKey|api_key|secret|botToken|accessToken|refreshToken|privateKey)$/i;

/** `gateway.port: expected integer 0–65535, got "abc"` for the first AJV error. */
export function describeConfigIssue(errors: readonly ErrorObject[] | null | undefined, root: unknown): string {
  return describeIssue(GatewayFileConfig, errors, root, []);
}

function describeIssue(rootSchema: TSchema, errors: readonly ErrorObject[] | null | undefined, root: unknown, prefix: readonly string[]): string {
  // The outermost union: its branches' own errors come first in AJV's list.
  const union = errors?.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.instancePath.length - b.instancePath.length)[0];
  if (union) {
    const refined = describeUnionBranch(rootSchema, union, root, prefix);
    if (refined) return refined;
  }
  const error = errors?.find((e) => e.keyword !== 'anyOf') ?? errors?.[0];
  if (!error) return 'invalid config';
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty?: string }).missingProperty ?? '?';
    return `${dotted([...prefix, ...segments, missing])}: required`;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty ?? '?';
    return `${dotted([...prefix, ...segments, extra])}: unknown key`;
  }
  const schema = schemaAt(rootSchema, segments);
  const value = valueAt(root, segments);
  const secret = SECRET_KEY.test([...prefix, ...segments].at(-1) ?? '');
  return `${dotted([...prefix, ...segments])}: expected ${schema ? expected(schema) : (error.message ?? 'a valid value')}, got ${shown(value, secret)}`;
}

/**
 * A value that fails a union of objects (`{source:"file",…}` among the SecretRef providers) is
 * described against the branch its literal keys select, not against the first branch tried.
 */
function describeUnionBranch(rootSchema: TSchema, union: ErrorObject, root: unknown, prefix: readonly string[]): string | undefined {
  const segments = union.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const options = schemaAt(rootSchema, segments)?.anyOf as TSchema[] | undefined;
  const value = valueAt(root, segments);
  if (!options || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const objects = options.filter((o) => o.type === 'object');
  const literal = (o: TSchema) => Object.entries((o.properties ?? {}) as Record<string, TSchema>).filter(([, p]) => p.const !== undefined);
  const branch =
    objects.find((o) => literal(o).length > 0 && literal(o).every(([key, p]) => record[key] === p.const)) ??
    (objects.length === 1 ? objects[0] : undefined);
  if (!branch) return undefined;
  const validate = runtimeAjv().compile(branch);
  if (validate(value)) return undefined;
  return describeIssue(branch, validate.errors, value, [...prefix, ...segments]);
}

const dotted = (segments: readonly string[]): string =>
  segments.length === 0 ? '<root>' : segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i === 0 ? '' : '.'}${s}`)).join('');

function schemaAt(schema: TSchema, segments: readonly string[]): TSchema | undefined {
  let current: TSchema | undefined = schema;
  for (const segment of segments) {
    if (!current) return undefined;
    const props = current.properties as Record<string, TSchema> | undefined;
    const patterns = current.patternProperties as Record<string, TSchema> | undefined;
    if (props?.[segment]) current = props[segment];
    else if (current.items && /^\d+$/.test(segment)) current = current.items as TSchema;
    else if (patterns && Object.values(patterns)[0]) current = Object.values(patterns)[0];
    else return undefined;
  }
  return current;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  return current;
}

function expected(schema: TSchema): string {
  const options = schema.anyOf as TSchema[] | undefined;
  if (options) {
    if (options.every((o) => o.const !== undefined)) return `one of ${options.map((o) => JSON.stringify(o.const)).join(', ')}`;
    return options.map(expected).join(' or ');
  }
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const kind = schema.type;
      const { minimum: min, maximum: max } = schema as { minimum?: number; maximum?: number };
      if (min !== undefined && max !== undefined) return `${kind} ${min}–${max}`;
      if (min !== undefined) return `${kind} ≥ ${min}`;
      return kind;
    }
    case 'string':
      return (schema.minLength as number | undefined) ? 'non-empty string' : 'string';
    case 'boolean':
      return 'boolean (true or false)';
    case 'object':
      return (schema.title as string | undefined) ?? 'object';
    case 'array':
      return 'array';
    default:
      return 'a valid value';
  }
}

function shown(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (secret) return `a ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} (value hidden)`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
