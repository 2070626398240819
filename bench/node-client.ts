/**
 * A bench node: a `role:"node"` connection with a fresh Ed25519 device key and a real device
 * proof (NODES.md §1), declaring one command and answering every `node.invoke.request` at once:
 *
 *   gateway                                   bench node
 *     | ---- event connect.challenge -------> |
 *     | <--- req connect {device proof} ----- |   signed v3 string, as the official node host signs it
 *     | ---- res hello-ok ------------------> |   (loopback: silently device-paired)
 *     | ---- event node.invoke.request{id} -> |
 *     | <--- req node.invoke.result{id,ok} -- |   same turn, fixed payload
 *
 * The signed string comes from the gateway's own verifier (`signedPayloads`), so the bench signs
 * exactly what both gateways check.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { ConnectParams } from '../protocol/connect.js';
import { signedPayloads } from '../actors/nodes/device-proof.js';
import { connect, type BenchClient } from './client.js';

/** What the node answers to every invoke (shaped like `system.which`'s answer). */
const RESULT_PAYLOAD_JSON = '{"bins":{}}';

export interface BenchNode {
  readonly client: BenchClient;
  /** `device.id` = the node id. */
  readonly nodeId: string;
  /** Invokes answered so far. */
  readonly answered: () => number;
}

export interface NodeOptions {
  readonly url: string;
  readonly token: string;
  readonly commands: readonly string[];
  readonly displayName?: string;
  readonly timeoutMs?: number;
}

/** Connects a node with a new device key; resolves on hello-ok, answering invokes from then on. */
export async function connectNode(options: NodeOptions): Promise<BenchNode> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const raw = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(12);
  const nodeId = createHash('sha256').update(raw).digest('hex');
  let client: BenchClient | undefined;
  const early: string[] = [];
  let answered = 0;
  const answer = (invokeId: string): void => {
    if (!client) {
      early.push(invokeId);
      return;
    }
    answered += 1;
    client.call('node.invoke.result', { id: invokeId, nodeId, ok: true, payloadJSON: RESULT_PAYLOAD_JSON }).catch(() => undefined);
  };
  client = await connect({
    url: options.url,
    token: options.token,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    connectParams: (challenge) => {
      const params = {
        minProtocol: 4, maxProtocol: 4,
        client: { id: 'node-host', displayName: options.displayName ?? 'bench-node', version: 'bench', platform: 'linux', deviceFamily: 'Linux', mode: 'node', instanceId: nodeId.slice(0, 16) },
        caps: ['system'], commands: [...options.commands], role: 'node', scopes: [],
        auth: { token: options.token },
        device: { id: nodeId, publicKey: raw.toString('base64url'), signature: '', signedAt: challenge.ts, nonce: challenge.nonce },
      };
      params.device.signature = sign(null, Buffer.from(signedPayloads(params as ConnectParams).v3, 'utf8'), privateKey).toString('base64url');
      return params;
    },
    onEvent: (event) => {
      if (event.event !== 'node.invoke.request') return;
      const id = (event.payload as { id?: unknown } | null)?.id;
      if (typeof id === 'string') answer(id);
    },
  });
  for (const id of early.splice(0)) answer(id);
  return { client, nodeId, answered: () => answered };
}
