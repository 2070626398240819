import { randomUUID } from 'node:crypto';
import { defineCommand } from 'citty';
import { CliFailure } from './target.js';
import { pairingVerb, rpc } from './device-rpc.js';

interface NodeRow { nodeId: string; displayName?: string; platform?: string; connected?: boolean; approvalState?: string; commands?: string[] }
interface PendingRow { requestId: string; nodeId: string; displayName?: string; commands?: string[]; requiredApproveScopes?: string[] }

const nodeLine = (n: NodeRow) => `${n.nodeId}  ${n.displayName ?? '-'}  ${n.platform ?? '-'}  ${n.connected ? 'connected' : 'offline'}  ${n.approvalState ?? ''}`;
const nodeId = { node: { type: 'string', description: 'Node id', required: true } } as const;
const requestId = { requestId: { type: 'positional', description: 'Request id (see `nodes pending`)', required: true } } as const;

function parseParams(text: unknown): unknown {
  if (typeof text !== 'string') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliFailure('invalid_arguments', `--params is not valid JSON: ${(error as Error).message}`);
  }
}

/** `openclaw nodes list|pending|approve|reject|describe|invoke|remove|rename`. */
export const nodesCommand = defineCommand({
  meta: { name: 'nodes', description: 'Nodes: list, approve surfaces, invoke commands' },
  subCommands: {
    list: pairingVerb({
      name: 'list', description: 'Paired and connected nodes',
      call: (f) => rpc(f, 'node.list', {}, ['operator.read']),
      human: (p) => ((p as { nodes: NodeRow[] }).nodes.map(nodeLine).join('\n') || 'no nodes'),
    }),
    pending: pairingVerb({
      name: 'pending', description: 'Node surfaces awaiting approval',
      call: async (f) => ((await rpc(f, 'node.pair.list', {}, ['operator.pairing'])) as { pending: PendingRow[] }).pending,
      human: (p) => ((p as PendingRow[]).map((r) => `${r.requestId}  ${r.nodeId}  ${r.displayName ?? '-'}  needs ${(r.requiredApproveScopes ?? []).join(',')}`).join('\n') || 'no pending requests'),
    }),
    approve: pairingVerb({
      name: 'approve', description: 'Approve a pending node surface', args: requestId,
      call: async (f) => {
        const list = (await rpc(f, 'node.pair.list', {}, ['operator.pairing'])) as { pending: PendingRow[] };
        const request = list.pending.find((r) => r.requestId === f.requestId);
        const scopes = [...new Set(['operator.pairing', ...(request?.requiredApproveScopes ?? [])])];
        return rpc(f, 'node.pair.approve', { requestId: f.requestId }, scopes);
      },
      human: (p) => `approved ${(p as { node?: NodeRow }).node?.nodeId ?? ''}`,
    }),
    reject: pairingVerb({
      name: 'reject', description: 'Reject a pending node surface', args: requestId,
      call: (f) => rpc(f, 'node.pair.reject', { requestId: f.requestId }, ['operator.pairing']),
      human: (p) => `rejected ${(p as { nodeId: string }).nodeId}`,
    }),
    describe: pairingVerb({
      name: 'describe', description: 'One node', args: nodeId,
      call: (f) => rpc(f, 'node.describe', { nodeId: f.node }, ['operator.read']),
      human: (p) => nodeLine(p as NodeRow) + `\ncommands: ${((p as NodeRow).commands ?? []).join(', ') || '-'}`,
    }),
    invoke: pairingVerb({
      name: 'invoke', description: 'Run a command on a node',
      args: {
        ...nodeId,
        command: { type: 'string', description: 'Command, e.g. system.which', required: true },
        params: { type: 'string', description: 'Params as JSON', default: '{}' },
        'invoke-timeout': { type: 'string', description: 'Invoke timeout in ms', default: '15000' },
      },
      call: (f) => rpc(f, 'node.invoke', {
        nodeId: f.node, command: f.command, params: parseParams(f.params), idempotencyKey: randomUUID(), timeoutMs: Number(f['invoke-timeout']) || 15_000,
      }, ['operator.write']),
      human: (p) => JSON.stringify((p as { payload: unknown }).payload, null, 2),
    }),
    remove: pairingVerb({
      name: 'remove', description: 'Remove a node (its socket closes 4001)', args: nodeId,
      call: (f) => rpc(f, 'node.pair.remove', { nodeId: f.node }, ['operator.pairing']),
      human: (p) => `removed ${(p as { nodeId: string }).nodeId}`,
    }),
    rename: pairingVerb({
      name: 'rename', description: 'Rename a node', args: { ...nodeId, name: { type: 'string', description: 'New display name', required: true } },
      call: (f) => rpc(f, 'node.rename', { nodeId: f.node, displayName: f.name }, ['operator.pairing']),
      human: (p) => `renamed ${(p as { nodeId: string }).nodeId} to ${(p as { displayName: string }).displayName}`,
    }),
  },
});
