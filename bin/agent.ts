import { randomUUID } from 'node:crypto';
import { defineCommand } from 'citty';
import { runAgentTurn } from '../actors/client/agent.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { CliFailure, fail, resolveTarget } from './target.js';

const DEFAULT_TIMEOUT_S = 600;
/** Slack past the run's own deadline before the CLI stops waiting for the final. */
const WAIT_SLACK_MS = 30_000;
const EXIT_SIGINT = 130;

interface FinalPayload {
  status?: unknown;
  summary?: unknown;
  result?: { payloads?: Array<{ text?: unknown }> };
}

/** `openclaw agent`: one agent turn through the gateway, streamed as it arrives. */
export const agentCommand = defineCommand({
  meta: { name: 'agent', description: 'Run one agent turn through the gateway and print the reply as it streams' },
  args: {
    message: { type: 'string', description: 'The message to send (required)', alias: 'm' },
    to: { type: 'string', description: 'Recipient (E.164 or id): picks the session by session.dmScope' },
    'session-key': { type: 'string', description: 'Session key (main, <key> or agent:<id>:<key>)' },
    agent: { type: 'string', description: 'Agent id (default: the default agent)' },
    json: { type: 'boolean', description: 'Print the final payload as JSON' },
    timeout: { type: 'string', description: `Run deadline in seconds (default ${DEFAULT_TIMEOUT_S})` },
    url: { type: 'string', description: 'Gateway URL (ws://host:port); then no config/env credentials are used' },
    port: { type: 'string', description: 'Local loopback port (exclusive with --url)' },
    token: { type: 'string', description: 'Gateway token' },
    password: { type: 'string', description: 'Gateway password' },
    'run-id': { type: 'string', description: 'Idempotency key (a retry with the same one starts no new run)' },
  },
  run: async ({ args }) => {
    try {
      const message = args.message?.trim();
      if (!message) throw new CliFailure('invalid_arguments', '--message is required');
      const timeoutS = args.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(args.timeout);
      if (!Number.isInteger(timeoutS) || timeoutS <= 0) throw new CliFailure('invalid_arguments', `invalid --timeout ${args.timeout} (seconds)`);
      const target = resolveTarget({ url: args.url, port: args.port, token: args.token, password: args.password }, process.env);
      const sessionKey = args['session-key']?.trim();
      const params = {
        message,
        idempotencyKey: args['run-id']?.trim() || randomUUID(),
        ...(args.agent?.trim() ? { agentId: args.agent.trim() } : {}),
        ...(args.to?.trim() ? { to: args.to.trim() } : {}),
        ...(sessionKey ? { sessionKey } : {}),
        deliver: false,
        timeout: timeoutS,
      };
      const aborter = new AbortController();
      let interrupted = false;
      process.on('SIGINT', () => {
        if (interrupted) process.exit(EXIT_SIGINT);
        interrupted = true;
        process.stderr.write('\naborting the run (Ctrl-C again to quit now)…\n');
        aborter.abort();
      });
      let streamed = false;
      const result = await runAgentTurn({
        url: target.url,
        ...(target.token ? { token: target.token } : {}),
        ...(target.password ? { password: target.password } : {}),
        params,
        clientVersion: SERVER_VERSION,
        timeoutMs: timeoutS * 1000 + WAIT_SLACK_MS,
        signal: aborter.signal,
        onDelta: (delta) => {
          if (args.json) return;
          streamed = true;
          process.stdout.write(delta);
        },
      });
      const payload = (result.payload ?? {}) as FinalPayload;
      if (args.json) process.stdout.write(`${JSON.stringify(result.ok ? result.payload : { ok: false, payload: result.payload, error: result.error }, null, 2)}\n`);
      else if (streamed) process.stdout.write('\n');
      else if (payload.status === 'in_flight') process.stderr.write(`Agent run ${params.idempotencyKey} is already in flight; not starting a duplicate run.\n`);
      else for (const item of payload.result?.payloads ?? []) if (typeof item.text === 'string') process.stdout.write(`${item.text}\n`);
      if (!result.ok) {
        if (!args.json) process.stderr.write(`Agent run failed: ${result.error?.message ?? String(payload.summary ?? 'error')} (${result.error?.code ?? 'UNAVAILABLE'})\n`);
        process.exit(interrupted ? EXIT_SIGINT : 1);
      }
      if (interrupted) {
        if (!args.json) process.stderr.write(`Agent run ${params.idempotencyKey} aborted.\n`);
        process.exit(EXIT_SIGINT);
      }
      process.exit(payload.status === 'ok' || payload.status === 'in_flight' ? 0 : 1);
    } catch (error) {
      fail(error, args.json, 'Agent run failed');
    }
  },
});
