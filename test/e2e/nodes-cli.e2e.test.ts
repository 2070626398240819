import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { runCli } from '../helpers/cli-process.js';
import { RawClient, type Frame } from '../helpers/raw-client.js';
import { TestDevice, nodeParams, withDevice } from '../helpers/device-signer.js';

/** `openclaw nodes …` and `openclaw devices …` (ours) against a hand-signed node; pairing survives kill -9. */
describe('nodes and devices CLI', () => {
  let gateway: GatewayProcess;
  const device = TestDevice.random();
  let node: RawClient;

  const cli = async (args: string[]): Promise<unknown> => {
    const result = await runCli([...args, '--url', gateway.url, '--token', gateway.token, '--json']);
    expect(result.code, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout) as unknown;
  };
  const connectNode = async (auth?: Record<string, string>): Promise<{ client: RawClient; res: Frame }> => {
    const client = await RawClient.open(gateway.url);
    const challenge = (await client.event('connect.challenge')).payload as { nonce: string; ts: number };
    const res = await client.call('connect', withDevice(device, nodeParams(auth ? undefined : gateway.token, auth ? { auth } : {}), challenge));
    return { client, res };
  };

  beforeAll(async () => {
    gateway = await startGatewayProcess();
  });
  afterAll(async () => {
    node?.close();
    await gateway.stop();
    gateway.cleanup();
  });

  it('lists, approves, invokes, and the approval and token survive kill -9', async () => {
    const first = await connectNode();
    expect(first.res.ok).toBe(true);
    const token = (first.res.payload as { auth: { deviceToken: string } }).auth.deviceToken;
    node = first.client;
    node.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.event !== 'node.invoke.request') return;
      const request = frame.payload as { id: string; nodeId: string };
      node.request('node.invoke.result', { id: request.id, nodeId: request.nodeId, ok: true, payload: { bins: { sh: '/bin/sh' } } });
    });
    const pending = (await cli(['nodes', 'pending'])) as Array<{ requestId: string; nodeId: string }>;
    const request = pending.find((p) => p.nodeId === device.id);
    expect(request).toBeDefined();
    expect(await cli(['nodes', 'approve', String(request?.requestId)])).toMatchObject({ node: { nodeId: device.id } });
    const listed = (await cli(['nodes', 'list'])) as { nodes: Array<Record<string, unknown>> };
    expect(listed.nodes.find((n) => n.nodeId === device.id)).toMatchObject({ approvalState: 'approved', connected: true });
    expect(await cli(['nodes', 'describe', '--node', device.id])).toMatchObject({ nodeId: device.id, commands: ['system.run', 'system.which'] });
    expect(await cli(['nodes', 'invoke', '--node', device.id, '--command', 'system.which', '--params', '{"bins":["sh"]}'])).toMatchObject({ ok: true, payload: { bins: { sh: '/bin/sh' } } });
    expect(await cli(['nodes', 'rename', '--node', device.id, '--name', 'renamed'])).toEqual({ nodeId: device.id, displayName: 'renamed' });
    const devices = (await cli(['devices', 'list'])) as { paired: Array<Record<string, unknown>> };
    expect(devices.paired.find((d) => d.deviceId === device.id)).toMatchObject({ roles: ['node'], approvedVia: 'silent' });
    node.close();

    // kill -9, restart on the same state: the token still admits it and the surface is still approved.
    await gateway.stop('SIGKILL');
    gateway = await startGatewayProcess({ stateDir: gateway.stateDir, port: gateway.port });
    const back = await connectNode({ deviceToken: token });
    expect((back.res.payload as { auth: Record<string, unknown> }).auth).toMatchObject({ method: 'device-token', deviceToken: token });
    node = back.client;
    expect(await cli(['nodes', 'describe', '--node', device.id])).toMatchObject({ approvalState: 'approved', connected: true, displayName: 'renamed' });
    expect(await cli(['devices', 'revoke', '--device', device.id, '--role', 'node'])).toMatchObject({ deviceId: device.id, role: 'node' });
    expect(await cli(['nodes', 'remove', '--node', device.id])).toEqual({ nodeId: device.id });
    expect(await node.waitClosed()).toEqual({ code: 4001, reason: 'device removed' });
  }, 60_000);
});
