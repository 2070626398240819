import { Type, type Static } from '@sinclair/typebox';
import { compile } from './ajv.js';
import { PresenceEntry } from './presence.js';
import { HealthSnapshot } from './health.js';
import { StateVersion } from './frames.js';

const NonEmpty = Type.String({ minLength: 1 });
const Ms = Type.Integer({ minimum: 0 });

/** Client ids the official clients use (closed enum, PROTOCOL.md §2.2). */
export const CLIENT_IDS = [
  'webchat-ui', 'openclaw-control-ui', 'openclaw-browser-copilot', 'openclaw-tui', 'webchat', 'cli',
  'gateway-client', 'openclaw-macos', 'openclaw-linux', 'openclaw-ios', 'openclaw-watchos',
  'openclaw-android', 'node-host', 'openclaw-worker', 'test', 'fingerprint', 'openclaw-probe',
] as const;
/** Client modes (closed enum). */
export const CLIENT_MODES = ['webchat', 'cli', 'ui', 'backend', 'node', 'worker', 'probe', 'test'] as const;

/** Who is connecting. */
export const ClientInfo = Type.Object(
  {
    id: Type.Unsafe<(typeof CLIENT_IDS)[number]>({ type: 'string', enum: [...CLIENT_IDS] }),
    displayName: Type.Optional(NonEmpty),
    version: NonEmpty,
    buildId: Type.Optional(Type.String({ minLength: 1, maxLength: 96 })),
    platform: NonEmpty,
    deviceFamily: Type.Optional(NonEmpty),
    modelIdentifier: Type.Optional(NonEmpty),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    mode: Type.Unsafe<(typeof CLIENT_MODES)[number]>({ type: 'string', enum: [...CLIENT_MODES] }),
    instanceId: Type.Optional(NonEmpty),
  },
  { additionalProperties: false },
);
export type ClientInfo = Static<typeof ClientInfo>;

/** Credentials offered at connect; the shared secret may sit in `token` or `password`. */
export const ConnectAuth = Type.Object(
  {
    token: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    deviceToken: Type.Optional(Type.String()),
    bootstrapToken: Type.Optional(Type.String()),
    approvalRuntimeToken: Type.Optional(Type.String()),
    agentRuntimeIdentityToken: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** A signed device identity (nodes, apps). */
export const DeviceIdentity = Type.Object(
  { id: NonEmpty, publicKey: NonEmpty, signature: NonEmpty, signedAt: Ms, nonce: NonEmpty },
  { additionalProperties: false },
);

/** Params of the first request, `connect` (closed). */
export const ConnectParams = Type.Object(
  {
    minProtocol: Type.Integer({ minimum: 1 }),
    maxProtocol: Type.Integer({ minimum: 1 }),
    client: ClientInfo,
    caps: Type.Optional(Type.Array(NonEmpty)),
    commands: Type.Optional(Type.Array(NonEmpty)),
    permissions: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
    pathEnv: Type.Optional(Type.String()),
    role: Type.Optional(NonEmpty),
    scopes: Type.Optional(Type.Array(NonEmpty)),
    device: Type.Optional(DeviceIdentity),
    auth: Type.Optional(ConnectAuth),
    locale: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    computerUse: Type.Optional(Type.Unknown()),
    workerRuns: Type.Optional(Type.Unknown()),
    modelCatalog: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type ConnectParams = Static<typeof ConnectParams>;
export const isConnectParams = compile(ConnectParams);

/** Payload of `connect.challenge`, the first frame the server sends. */
export const ConnectChallenge = Type.Object(
  { nonce: NonEmpty, ts: Ms, capabilities: Type.Optional(Type.Array(NonEmpty)) },
  { additionalProperties: false },
);
export type ConnectChallenge = Static<typeof ConnectChallenge>;

/** Session defaults advertised in the snapshot. */
export const SessionDefaults = Type.Object(
  {
    defaultAgentId: NonEmpty,
    mainKey: NonEmpty,
    mainSessionKey: NonEmpty,
    scope: Type.Optional(NonEmpty),
    modelConfigured: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** State a client gets at connect: roster, health, versions, uptime. */
export const Snapshot = Type.Object(
  {
    presence: Type.Array(PresenceEntry),
    health: Type.Union([HealthSnapshot, Type.Object({}, { additionalProperties: false })]),
    stateVersion: StateVersion,
    uptimeMs: Ms,
    sessionDefaults: Type.Optional(SessionDefaults),
    configPath: Type.Optional(Type.String()),
    stateDir: Type.Optional(Type.String()),
    authMode: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Snapshot = Static<typeof Snapshot>;

/** The `connect` result (closed, PROTOCOL.md §2.5). */
export const HelloOk = Type.Object(
  {
    type: Type.Literal('hello-ok'),
    protocol: Type.Integer({ minimum: 1 }),
    server: Type.Object(
      {
        version: NonEmpty,
        connId: NonEmpty,
        buildId: Type.Optional(Type.String({ minLength: 1, maxLength: 96 })),
        bootId: Type.Optional(Type.String({ minLength: 1, maxLength: 96 })),
      },
      { additionalProperties: false },
    ),
    features: Type.Object(
      {
        methods: Type.Array(NonEmpty),
        events: Type.Array(NonEmpty),
        capabilities: Type.Optional(Type.Array(NonEmpty)),
      },
      { additionalProperties: false },
    ),
    snapshot: Snapshot,
    auth: Type.Object(
      {
        role: NonEmpty,
        scopes: Type.Array(NonEmpty),
        /** How the socket authenticated: `token`, `password`, `none` or `device-token`. */
        method: Type.Optional(NonEmpty),
        /** The device token of a paired device (NODES.md §2.4). */
        deviceToken: Type.Optional(NonEmpty),
        issuedAtMs: Type.Optional(Ms),
      },
      { additionalProperties: false },
    ),
    policy: Type.Object(
      {
        maxPayload: Type.Integer({ minimum: 1 }),
        maxBufferedBytes: Type.Integer({ minimum: 1 }),
        tickIntervalMs: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type HelloOk = Static<typeof HelloOk>;
