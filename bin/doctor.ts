import { defineCommand } from 'citty';
import { runDoctor } from '../actors/ops/doctor.js';
import { readServiceSecrets } from '../actors/ops/service-managers/lifecycle.js';
import type { DoctorReport } from '../protocol/cli/doctor.js';
import { envValue, generateToken } from './config.js';
import { resolveServiceContext } from './service-context.js';
import { fail } from './target.js';

/** `openclaw doctor [--fix] [--json]`: audit config, permissions, token, service and port; no gateway connection. */

const MARK: Record<DoctorReport['checks'][number]['level'], string> = { ok: 'ok   ', info: 'info ', warn: 'WARN ', error: 'ERROR' };

/** The human report. */
export function renderDoctorText(report: DoctorReport): string {
  const lines = [`OpenClaw doctor${report.profile ? ` (profile ${report.profile})` : ''}: ${report.stateDir}`];
  for (const check of report.checks) {
    lines.push(`${check.fixed ? 'FIXED' : MARK[check.level]} ${check.message}`);
    for (const detail of check.details ?? []) lines.push(`        ${detail}`);
    if (check.fix) lines.push(`        fix: ${check.fix}`);
  }
  const pending = report.checks.filter((check) => check.fixable && !check.fixed && (check.level === 'warn' || check.level === 'error'));
  if (!report.fixMode && pending.length > 0) lines.push('', `Run \`openclaw doctor --fix\` to repair ${pending.length} finding${pending.length === 1 ? '' : 's'}.`);
  lines.push(report.ok ? 'No blocking problems.' : 'Blocking problems remain.');
  return `${lines.join('\n')}\n`;
}

/** `openclaw doctor`. */
export const doctorCommand = defineCommand({
  meta: { name: 'doctor', description: 'Audit config, permissions, token, installed service and port; --fix repairs what is safe' },
  args: {
    fix: { type: 'boolean', description: 'Repair what is safe: chmod, generate a token, regenerate the service definition' },
    repair: { type: 'boolean', description: 'Alias of --fix' },
    json: { type: 'boolean', description: 'Machine-readable output' },
    system: { type: 'boolean', description: 'Audit the systemd system unit instead of the user unit' },
  },
  run: async ({ args }) => {
    try {
      const env = process.env;
      const context = resolveServiceContext({ system: args.system }, env);
      // The installed env file's secrets are kept as they are: doctor never moves a shell's token into a service.
      const serviceSecrets = await readServiceSecrets(context.manager, context.spec);
      const spec = { ...context.spec, secrets: serviceSecrets };
      const envSecret = envValue(env, 'OPENCLAW_GATEWAY_TOKEN') ? 'token' : envValue(env, 'OPENCLAW_GATEWAY_PASSWORD') ? 'password' : null;
      const report = await runDoctor(
        {
          fix: args.fix === true || args.repair === true,
          profile: context.profile ?? null,
          stateDir: context.paths.stateDir,
          configPath: context.paths.configPath,
          envSecret,
          manager: context.manager,
          spec,
          runner: context.runner,
          port: context.port,
          newToken: generateToken,
          serviceRepair: envValue(env, 'OPENCLAW_SERVICE_REPAIR_POLICY') !== 'external',
        },
        serviceSecrets,
      );
      process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorText(report));
      if (!report.ok) process.exit(1);
    } catch (error) {
      fail(error, args.json, 'Doctor failed');
    }
  },
});
