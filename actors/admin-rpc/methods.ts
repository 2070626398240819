/**
 * The methods `POST /api/v1/admin/rpc` may call: the official admin-http-rpc plugin's allowlist.
 * Names this gateway does not implement answer `unknown method`, as over the WebSocket.
 */
export const ADMIN_RPC_METHODS: ReadonlySet<string> = new Set([
  // discovery (answered by the route itself)
  'commands.list',
  // gateway
  'health', 'status', 'logs.tail', 'usage.status', 'usage.cost', 'gateway.restart.request',
  'gateway.suspend.prepare', 'gateway.suspend.status', 'gateway.suspend.resume',
  // config
  'config.get', 'config.schema', 'config.schema.lookup', 'config.set', 'config.patch', 'config.apply',
  // channels, web login, models, agents
  'channels.status', 'channels.start', 'channels.stop', 'channels.logout', 'web.login.start', 'web.login.wait',
  'models.list', 'models.authStatus', 'agents.list', 'agents.create', 'agents.update', 'agents.delete',
  // approvals, cron
  'exec.approvals.get', 'exec.approvals.set', 'exec.approvals.node.get', 'exec.approvals.node.set',
  'cron.status', 'cron.list', 'cron.get', 'cron.runs', 'cron.add', 'cron.update', 'cron.remove', 'cron.run',
  // devices, nodes, tasks, diagnostics
  'device.pair.list', 'device.pair.approve', 'device.pair.reject', 'device.pair.remove',
  'node.list', 'node.describe', 'node.pair.list', 'node.pair.approve', 'node.pair.reject', 'node.pair.remove', 'node.rename',
  'tasks.list', 'tasks.get', 'tasks.cancel', 'doctor.memory.status', 'update.status',
]);

/** HTTP status of an RPC answer, by its wire error code (the official table). */
export function rpcHttpStatus(response: { ok: boolean; error?: { code: string } }): number {
  if (response.ok) return 200;
  switch (response.error?.code) {
    case 'INVALID_REQUEST':
      return 400;
    case 'APPROVAL_NOT_FOUND':
      return 404;
    case 'NOT_LINKED':
    case 'NOT_PAIRED':
      return 409;
    case 'UNAVAILABLE':
      return 503;
    case 'AGENT_TIMEOUT':
      return 504;
    default:
      return 500;
  }
}
