import type { TSchema } from '@sinclair/typebox';
import { compile, type Validator } from './ajv.js';
import type { OperatorScope, Role } from './scopes.js';
import * as system from './methods/system.js';
import * as agents from './methods/agents.js';
import * as replay from './methods/events-replay.js';
import * as agent from './methods/agent.js';
import * as chat from './methods/chat.js';
import * as logs from './methods/logs.js';
import * as configMethods from './methods/config.js';
import * as inspect from './methods/inspect.js';
import * as ui from './methods/control-ui.js';
import * as webLogin from './methods/web-login.js';
import * as devices from './devices.js';
import * as channels from './methods/channels.js';
import * as secrets from './methods/secrets.js';
import * as nodes from './nodes.js';

/** How a method answers: once, or an ack followed by a final on the same request id. */
export type MethodKind = 'unary' | 'two-stage';

/** One registered method: its schemas, who may call it, and how it answers. */
export interface MethodSpec {
  readonly name: string;
  readonly params: TSchema;
  readonly result: TSchema;
  /** Role allowed to call it. */
  readonly role: Role;
  /** Operator scope required (ignored for node methods). */
  readonly scope: OperatorScope | null;
  readonly kind: MethodKind;
  readonly description: string;
  /** Params validator, compiled once at load. */
  readonly validate: Validator<unknown>;
}

function method(
  name: string,
  spec: { params: TSchema; result: TSchema; scope: OperatorScope | null; kind?: MethodKind; role?: Role; description: string },
): MethodSpec {
  return {
    name,
    params: spec.params,
    result: spec.result,
    role: spec.role ?? 'operator',
    scope: spec.scope,
    kind: spec.kind ?? 'unary',
    description: spec.description,
    validate: compile(spec.params) as Validator<unknown>,
  };
}

/** The method registry: every method this gateway answers, by wire name. */
export const METHODS: ReadonlyMap<string, MethodSpec> = new Map(
  [
    method('health', { params: system.HealthParams, result: system.HealthResult, scope: 'operator.read', description: 'Health snapshot.' }),
    method('status', { params: system.StatusParams, result: system.StatusResult, scope: 'operator.read', description: 'Runtime summary.' }),
    method('system-presence', { params: system.SystemPresenceParams, result: system.SystemPresenceResult, scope: 'operator.read', description: 'Presence roster.' }),
    method('system-event', { params: system.SystemEventParams, result: system.OkResult, scope: 'operator.admin', description: 'Presence beacon plus a system event for a session.' }),
    method('last-heartbeat', { params: system.LastHeartbeatParams, result: system.LastHeartbeatResult, scope: 'operator.read', description: 'Last heartbeat event, or null.' }),
    method('wake', { params: system.WakeParams, result: system.OkResult, scope: 'operator.write', description: 'Queue text for a session and wake it.' }),
    method('agents.list', { params: agents.AgentsListParams, result: agents.AgentsListResult, scope: 'operator.read', description: 'Configured agents.' }),
    method('events.replay', { params: replay.EventsReplayParams, result: replay.EventsReplayResult, scope: 'operator.read', description: 'Journaled broadcast events after a seq.' }),
    method('agent', { params: agent.AgentParams, result: agent.AgentResult, scope: 'operator.write', kind: 'two-stage', description: 'Run one agent turn: ack, then the final on the same request id.' }),
    method('agent.wait', { params: agent.AgentWaitParams, result: agent.AgentWaitResult, scope: 'operator.write', description: 'Wait for a run to end.' }),
    method('chat.send', { params: chat.ChatSendParams, result: chat.ChatSendResult, scope: 'operator.write', description: 'Start a chat turn; the reply streams as chat events.' }),
    method('chat.history', { params: chat.ChatHistoryParams, result: chat.ChatHistoryResult, scope: 'operator.read', description: 'Session transcript from the journal.' }),
    method('chat.startup', { params: chat.ChatHistoryParams, result: chat.ChatHistoryResult, scope: 'operator.read', description: 'First page of a session transcript (the official Control UI opens its chat with it).' }),
    method('chat.abort', { params: chat.ChatAbortParams, result: chat.ChatAbortResult, scope: 'operator.write', description: 'Abort a run, or every run of a session.' }),
    method('logs.tail', { params: logs.LogsTailParams, result: logs.LogsTailResult, scope: 'operator.read', description: 'A window of the JSONL file log after a byte cursor.' }),
    method('gateway.inspect', { params: inspect.GatewayInspectParams, result: inspect.GatewayInspectResult, scope: 'operator.admin', description: 'Live actors, their states and recent transitions.' }),
    method('web.login.start', { params: webLogin.WebLoginStartParams, result: webLogin.WebLoginStartResult, scope: 'operator.admin', description: 'Start a WhatsApp QR login: the QR as a PNG data URL.' }),
    method('web.login.wait', { params: webLogin.WebLoginWaitParams, result: webLogin.WebLoginWaitResult, scope: 'operator.admin', description: 'Wait for the QR scan of a login in progress (or a refreshed QR).' }),
    method('channels.status', { params: channels.ChannelsStatusParams, result: channels.ChannelsStatusResult, scope: 'operator.read', description: 'Channel accounts, their link state and issues; probe asks each platform.' }),
    method('channels.start', { params: channels.ChannelAccountParams, result: channels.ChannelsStartResult, scope: 'operator.admin', description: 'Start a channel account.' }),
    method('channels.stop', { params: channels.ChannelAccountParams, result: channels.ChannelsStopResult, scope: 'operator.admin', description: 'Stop a channel account (it stays stopped across reloads).' }),
    method('channels.logout', { params: channels.ChannelAccountParams, result: channels.ChannelsLogoutResult, scope: 'operator.admin', description: 'Stop a channel account and clear its credentials.' }),
    method('send', { params: channels.SendParams, result: channels.SendResult, scope: 'operator.write', description: 'Send a message through a channel, idempotent by key.' }),
    method('message.action', { params: channels.MessageActionParams, result: channels.MessageActionResult, scope: 'operator.write', description: 'A channel message action (send).' }),
    method('channels.pairing.list', { params: channels.PairingListParams, result: channels.PairingListResult, scope: 'operator.pairing', description: 'Pending DM pairing requests.' }),
    method('channels.pairing.approve', { params: channels.PairingApproveParams, result: channels.PairingApproveResult, scope: 'operator.pairing', description: 'Approve a DM pairing request.' }),
    method('channels.pairing.dismiss', { params: channels.PairingDismissParams, result: channels.PairingDismissResult, scope: 'operator.pairing', description: 'Dismiss a DM pairing request.' }),
    method('secrets.reload', { params: secrets.SecretsReloadParams, result: secrets.SecretsReloadResult, scope: 'operator.admin', description: 'Re-resolve every SecretRef of the config and swap the runtime snapshot.' }),
    method('config.get', { params: configMethods.ConfigGetParams, result: configMethods.ConfigGetResult, scope: 'operator.read', description: 'The config file, secrets redacted, with its path and hash.' }),
    method('sessions.list', { params: ui.SessionsListParams, result: ui.SessionsListResult, scope: 'operator.read', description: 'Sessions from the journal, newest first.' }),
    method('sessions.describe', { params: ui.SessionsDescribeParams, result: ui.SessionsDescribeResult, scope: 'operator.read', description: 'One session row, or null.' }),
    method('sessions.subscribe', { params: ui.SessionsSubscribeParams, result: ui.SubscribedResult, scope: 'operator.read', description: 'Session list changes (answered; rows come from sessions.list).' }),
    method('sessions.messages.subscribe', { params: ui.SessionsMessagesSubscribeParams, result: ui.SubscribedResult, scope: 'operator.read', description: 'Transcript rows of a session as session.message events.' }),
    method('sessions.observer.visibility', { params: ui.EmptyParams, result: ui.OkResult, scope: 'operator.read', description: 'The UI says whether it is visible.' }),
    method('sessions.patch', { params: ui.SessionsPatchParams, result: ui.OkResult, scope: 'operator.write', description: 'Per-session UI flags (unread).' }),
    method('sessions.abort', { params: ui.SessionsAbortParams, result: ui.SessionsAbortResult, scope: 'operator.write', description: 'Abort the runs of a session.' }),
    method('sessions.branches.list', { params: ui.EmptyParams, result: ui.BranchesListResult, scope: 'operator.read', description: 'Transcript branches (sessions here are linear).' }),
    method('sessions.companion.state', { params: ui.EmptyParams, result: ui.CompanionStateResult, scope: 'operator.read', description: 'Companion state of a session.' }),
    method('agent.identity.get', { params: ui.AgentIdentityParams, result: ui.AgentIdentityResult, scope: 'operator.read', description: 'Display name and avatar of an agent.' }),
    method('models.list', { params: ui.ModelsListParams, result: ui.ModelsListResult, scope: 'operator.read', description: 'Models of the configured providers.' }),
    method('models.authStatus', { params: ui.ModelsAuthStatusParams, result: ui.ModelsAuthStatusResult, scope: 'operator.read', description: 'Whether each configured provider has credentials.' }),
    method('chat.metadata', { params: ui.ChatMetadataParams, result: ui.ChatMetadataResult, scope: 'operator.read', description: 'Model picker and commands of the chat.' }),
    method('question.list', { params: ui.EmptyParams, result: ui.QuestionListResult, scope: 'operator.read', description: 'Open questions to the operator.' }),
    method('update.status', { params: ui.EmptyParams, result: ui.UpdateStatusResult, scope: 'operator.read', description: 'Update channel state.' }),
    method('exec.approval.list', { params: ui.EmptyParams, result: ui.EmptyArrayResult, scope: 'operator.read', description: 'Pending exec approvals.' }),
    method('plugin.approval.list', { params: ui.EmptyParams, result: ui.EmptyArrayResult, scope: 'operator.read', description: 'Pending plugin approvals.' }),
    method('openclaw.approval.list', { params: ui.EmptyParams, result: ui.EmptyArrayResult, scope: 'operator.read', description: 'Pending gateway approvals.' }),
    method('exec.approvals.get', { params: ui.EmptyParams, result: ui.ExecApprovalsResult, scope: 'operator.read', description: 'The exec approvals policy.' }),
    method('talk.catalog', { params: ui.EmptyParams, result: ui.TalkCatalogResult, scope: 'operator.read', description: 'Voice modes available.' }),
    method('tasks.list', { params: ui.EmptyParams, result: ui.TasksListResult, scope: 'operator.read', description: 'Background tasks.' }),
    method('progressCard.get', { params: ui.EmptyParams, result: ui.ProgressCardResult, scope: 'operator.read', description: 'The progress card of a session.' }),
    method('cron.list', { params: ui.EmptyParams, result: ui.CronListResult, scope: 'operator.read', description: 'Scheduled jobs.' }),
    method('cron.status', { params: ui.EmptyParams, result: ui.CronStatusResult, scope: 'operator.read', description: 'Scheduler state.' }),
    method('diagnostics.lanes', { params: ui.EmptyParams, result: ui.DiagnosticsLanesResult, scope: 'operator.read', description: 'Session lanes with active runs.' }),
    method('environments.list', { params: ui.EmptyParams, result: ui.EnvironmentsListResult, scope: 'operator.read', description: 'Where sessions can run: the gateway host.' }),
    method('system.info', { params: ui.EmptyParams, result: ui.SystemInfoResult, scope: 'operator.read', description: 'Host figures of the gateway machine.' }),
    method('usage.status', { params: ui.EmptyParams, result: ui.UsageStatusResult, scope: 'operator.read', description: 'Provider usage windows.' }),
    // Device pairing and device tokens (NODES.md §2.4, §2.6); role rules beyond the scope are in actors/nodes.
    method('device.pair.list', { params: devices.DevicePairListParams, result: devices.DevicePairListResult, scope: 'operator.pairing', description: 'Pending and paired devices.' }),
    method('device.pair.approve', { params: devices.DevicePairRequestIdParams, result: devices.DevicePairApproveResult, scope: 'operator.pairing', description: 'Approve a pending device (a node role also needs operator.admin).' }),
    method('device.pair.reject', { params: devices.DevicePairRequestIdParams, result: devices.DevicePairRejectResult, scope: 'operator.pairing', description: 'Reject a pending device.' }),
    method('device.pair.remove', { params: devices.DeviceIdParams, result: devices.DeviceIdResult, scope: 'operator.pairing', description: 'Remove a device: approvals and tokens go, its sockets close 4001.' }),
    method('device.pair.rename', { params: devices.DevicePairRenameParams, result: devices.DevicePairRenameResult, scope: 'operator.pairing', description: 'Label a paired device.' }),
    method('device.token.rotate', { params: devices.DeviceTokenRotateParams, result: devices.DeviceTokenRotateResult, scope: 'operator.pairing', description: 'Mint a new device token for a role (node role: operator.admin).' }),
    method('device.token.revoke', { params: devices.DeviceTokenRevokeParams, result: devices.DeviceTokenRevokeResult, scope: 'operator.pairing', description: "Revoke a role's device token (node role: operator.admin)." }),
    // Nodes (NODES.md §2.5–2.6, §3.3, §3.7): operator side, then what a node calls.
    method('node.list', { params: nodes.NodeListParams, result: nodes.NodeListResult, scope: 'operator.read', description: 'Paired and connected nodes with their effective surface.' }),
    method('node.describe', { params: nodes.NodeIdParams, result: nodes.NodeDescribeResult, scope: 'operator.read', description: 'One node.' }),
    method('node.rename', { params: nodes.NodeRenameParams, result: nodes.NodeRenameResult, scope: 'operator.pairing', description: 'Rename a node.' }),
    method('node.invoke', { params: nodes.NodeInvokeParams, result: nodes.NodeInvokeResult, scope: 'operator.write', description: 'Run a command on a node and wait for its result (default 30 s).' }),
    method('node.pair.list', { params: nodes.NodePairListParams, result: nodes.NodePairListResult, scope: 'operator.pairing', description: 'Pending and approved node surfaces.' }),
    method('node.pair.approve', { params: nodes.NodeRequestIdParams, result: nodes.NodePairApproveResult, scope: 'operator.pairing', description: 'Approve a node surface (also needs its requiredApproveScopes).' }),
    method('node.pair.reject', { params: nodes.NodeRequestIdParams, result: nodes.NodePairRejectResult, scope: 'operator.pairing', description: 'Reject a node surface.' }),
    method('node.pair.remove', { params: nodes.NodeIdParams, result: nodes.NodeIdResult, scope: 'operator.pairing', description: 'Remove a node: its role and surface go, its socket closes 4001.' }),
    method('node.invoke.result', { params: nodes.NodeInvokeResultParams, result: nodes.OkOnly, scope: null, role: 'node', description: 'A node answers a node.invoke.request.' }),
    method('node.event', { params: nodes.NodeEventParams, result: nodes.NodeEventResult, scope: null, role: 'node', description: 'A node reports an event (node.host.stats, exec.finished).' }),
    method('node.runnerInventory.update', { params: nodes.NodeRunnerInventoryUpdateParams, result: nodes.NodeUpdateResult, scope: null, role: 'node', description: "A node publishes its runner inventory (needs an approved surface)." }),
    method('node.skills.update', { params: nodes.NodeSkillsUpdateParams, result: nodes.NodeUpdateResult, scope: null, role: 'node', description: 'A node publishes its skills.' }),
    method('node.pluginTools.update', { params: nodes.NodePluginToolsUpdateParams, result: nodes.NodeUpdateResult, scope: null, role: 'node', description: 'A node publishes its plugin tools.' }),
  ].map((spec) => [spec.name, spec] as const),
);

/** Method names, as advertised in `hello-ok.features.methods`. */
export const METHOD_NAMES: readonly string[] = [...METHODS.keys()];
