import { Type, type Static } from '@sinclair/typebox';

/*
 * Nodes (NODES.md §2.5, §2.6, §3): the node capability surface facts (stream `device:<nodeId>`),
 * `node.*` params/results and the node-side methods and events.
 */

const NonEmpty = Type.String({ minLength: 1 });
const Ms = Type.Integer({ minimum: 0 });
const Strings = Type.Array(Type.String());
const Open = { additionalProperties: true } as const;
const Closed = { additionalProperties: false } as const;

/** A pending node surface request (= `node.pair.requested` payload). `silent` is omitted for owner-approved devices. */
export const NodePairRequest = Type.Object(
  {
    requestId: NonEmpty,
    nodeId: NonEmpty,
    clientId: Type.String(),
    clientMode: Type.String(),
    displayName: Type.Optional(Type.String()),
    platform: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
    deviceFamily: Type.Optional(Type.String()),
    caps: Strings,
    commands: Strings,
    requiredApproveScopes: Strings,
    silent: Type.Optional(Type.Boolean()),
    ts: Ms,
  },
  Closed,
);
export type NodePairRequest = Static<typeof NodePairRequest>;

/** Journal facts of the node surface layer (stream `device:<nodeId>`). */
export const NodeFactPayloads = {
  /** A node declared a surface beyond what is approved; pending until approved (never expires). */
  'node.pair.requested': Type.Object({ request: NodePairRequest }, Closed),
  /** The pending surface was approved: these caps/commands become effective. */
  'node.pair.approved': Type.Object({ requestId: NonEmpty, nodeId: NonEmpty, caps: Strings, commands: Strings, ts: Ms }, Closed),
  /** The pending surface was rejected (approval state "unapproved"). */
  'node.pair.rejected': Type.Object({ requestId: NonEmpty, nodeId: NonEmpty, ts: Ms }, Closed),
  /** The node role and its surface were removed. */
  'node.pair.removed': Type.Object({ nodeId: NonEmpty, ts: Ms }, Closed),
  /** An operator renamed the node. */
  'node.renamed': Type.Object({ nodeId: NonEmpty, displayName: NonEmpty }, Closed),
} as const;

/** A paired node as `node.pair.list` lists it. */
export const PairedNode = Type.Object(
  {
    nodeId: NonEmpty, clientId: Type.String(), clientMode: Type.String(), displayName: Type.Optional(Type.String()),
    platform: Type.Optional(Type.String()), version: Type.Optional(Type.String()), deviceFamily: Type.Optional(Type.String()),
    caps: Strings, commands: Strings, createdAtMs: Ms, approvedAtMs: Ms,
  },
  Open,
);

export const NodePairListParams = Type.Object({}, Closed);
export const NodePairListResult = Type.Object({ pending: Type.Array(NodePairRequest), paired: Type.Array(PairedNode) }, Open);
export const NodeRequestIdParams = Type.Object({ requestId: NonEmpty }, Closed);
export type NodeRequestIdParams = Static<typeof NodeRequestIdParams>;
export const NodePairApproveResult = Type.Object({ requestId: NonEmpty, node: PairedNode }, Open);
export const NodePairRejectResult = Type.Object({ requestId: NonEmpty, nodeId: NonEmpty }, Open);
export const NodeIdParams = Type.Object({ nodeId: NonEmpty }, Closed);
export type NodeIdParams = Static<typeof NodeIdParams>;
export const NodeIdResult = Type.Object({ nodeId: NonEmpty }, Open);
export const NodeRenameParams = Type.Object({ nodeId: NonEmpty, displayName: NonEmpty }, Closed);
export type NodeRenameParams = Static<typeof NodeRenameParams>;
export const NodeRenameResult = Type.Object({ nodeId: NonEmpty, displayName: NonEmpty }, Open);

/** One node as `node.list` / `node.describe` show it (PROTOCOL.md §5.8). */
export const NodeInfo = Type.Object(
  {
    nodeId: NonEmpty, displayName: Type.Optional(Type.String()), platform: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()), deviceFamily: Type.Optional(Type.String()),
    clientId: Type.Optional(Type.String()), clientMode: Type.Optional(Type.String()),
    caps: Strings, commands: Strings, paired: Type.Boolean(), connected: Type.Boolean(),
    approvalState: Type.Union([Type.Literal('approved'), Type.Literal('pending-approval'), Type.Literal('unapproved')]),
  },
  Open,
);
export const NodeListParams = Type.Object({}, Closed);
export const NodeListResult = Type.Object({ ts: Ms, nodes: Type.Array(NodeInfo) }, Open);
export const NodeDescribeResult = NodeInfo;

/** `node.invoke` params (operator side). */
export const NodeInvokeParams = Type.Object(
  {
    nodeId: NonEmpty,
    command: NonEmpty,
    params: Type.Optional(Type.Unknown()),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
    idempotencyKey: NonEmpty,
  },
  Closed,
);
export type NodeInvokeParams = Static<typeof NodeInvokeParams>;
export const NodeInvokeResult = Type.Object(
  { ok: Type.Boolean(), nodeId: NonEmpty, command: NonEmpty, payload: Type.Unknown(), payloadJSON: Type.Union([Type.String(), Type.Null()]) },
  Open,
);

/** The node's error shape inside `node.invoke.result`. */
export const NodeError = Type.Object({ code: Type.Optional(Type.String()), message: Type.Optional(Type.String()) }, Open);
export type NodeError = Static<typeof NodeError>;

/** `node.invoke.result` params (node side). */
export const NodeInvokeResultParams = Type.Object(
  {
    id: NonEmpty,
    nodeId: NonEmpty,
    ok: Type.Boolean(),
    payload: Type.Optional(Type.Unknown()),
    payloadJSON: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    error: Type.Optional(Type.Union([NodeError, Type.Null()])),
  },
  Closed,
);
export type NodeInvokeResultParams = Static<typeof NodeInvokeResultParams>;
export const OkOnly = Type.Object({ ok: Type.Boolean() }, Open);

/** `node.event` params (node side). */
export const NodeEventParams = Type.Object(
  { event: NonEmpty, payload: Type.Optional(Type.Unknown()), payloadJSON: Type.Optional(Type.Union([Type.String(), Type.Null()])) },
  Closed,
);
export type NodeEventParams = Static<typeof NodeEventParams>;
export const NodeEventResult = Type.Object(
  { ok: Type.Boolean(), event: Type.Optional(Type.String()), handled: Type.Optional(Type.Boolean()), reason: Type.Optional(Type.String()) },
  Open,
);

/** Inventory updates the node host publishes after hello (open: their contents are the node's). */
export const NodeRunnerInventoryUpdateParams = Type.Object({}, Open);
export const NodeSkillsUpdateParams = Type.Object({ skills: Type.Optional(Type.Array(Type.Unknown())) }, Open);
export const NodePluginToolsUpdateParams = Type.Object({ tools: Type.Optional(Type.Array(Type.Unknown())) }, Open);
export const NodeUpdateResult = Type.Object({ nodeId: NonEmpty }, Open);

/** Host statistics a node reports (`node.host.stats`), relayed as `node.hostStats`. */
export const HostStats = Type.Object({}, Open);
