import { chmod, mkdir } from 'node:fs/promises';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { DoctorCheck, DoctorReport } from '../../protocol/cli/doctor.js';
import { readConfigFile, writeConfigFile } from '../config/file.js';
import { inspectPort, looksLikeGateway } from './port-listeners.js';
import type { RecordingRunner } from './service-managers/exec.js';
import { auditService } from './service-managers/audit.js';
import { findExtraServices, removeLegacyService } from './service-managers/extra-services.js';
import { fileMode, readServiceFiles, writeServiceFiles } from './service-managers/files.js';
import type { ServiceSpec } from './service-managers/spec.js';
import type { ServiceManager } from './service-managers/types.js';

/**
 * `openclaw doctor`: local audits, each with a safe repair for `--fix` where one exists (chmod,
 * generate a token, regenerate the service definition). Never connects to a gateway.
 */

export interface DoctorInputs {
  readonly fix: boolean;
  readonly profile: string | null;
  readonly stateDir: string;
  readonly configPath: string;
  /** A token/password arrives from the environment (OPENCLAW_GATEWAY_TOKEN/_PASSWORD). */
  readonly envSecret: 'token' | 'password' | null;
  readonly manager: ServiceManager;
  /** The spec `gateway install` would write now, with the installed env file's secrets kept. */
  readonly spec: ServiceSpec;
  readonly runner: RecordingRunner;
  readonly port: number;
  readonly newToken: () => string;
  /** False with OPENCLAW_SERVICE_REPAIR_POLICY=external: something else owns the service definition. */
  readonly serviceRepair: boolean;
}

type Check = DoctorCheck;
const ok = (id: Check['id'], message: string): Check => ({ id, level: 'ok', message, fixable: false, fixed: false });
const octal = (mode: number) => `0${mode.toString(8)}`;

async function fixWith(check: Check, enabled: boolean, repair: () => Promise<string>): Promise<Check> {
  if (!enabled || !check.fixable) return check;
  try {
    return { ...check, fixed: true, fix: await repair() };
  } catch (error) {
    return { ...check, fix: `repair failed: ${(error as Error).message}` };
  }
}

async function checkStateDir(inputs: DoctorInputs): Promise<Check> {
  const mode = await fileMode(inputs.stateDir);
  if (mode === undefined) {
    const check: Check = { id: 'state-dir', level: 'info', message: `State dir ${inputs.stateDir} does not exist yet (created on first start)`, fixable: true, fixed: false };
    return fixWith(check, inputs.fix, async () => {
      await mkdir(inputs.stateDir, { recursive: true, mode: 0o700 });
      return `created ${inputs.stateDir} (0700)`;
    });
  }
  if ((mode & 0o077) === 0) return ok('state-dir', `State dir ${inputs.stateDir} is private (${octal(mode)})`);
  const check: Check = { id: 'state-dir', level: 'warn', message: `State dir ${inputs.stateDir} is ${octal(mode)}: other users can read the journal and credentials; it should be 0700`, fixable: true, fixed: false };
  return fixWith(check, inputs.fix, async () => {
    await chmod(inputs.stateDir, 0o700);
    return `chmod 0700 ${inputs.stateDir}`;
  });
}

async function checkConfigPermissions(path: string, fix: boolean): Promise<Check> {
  const mode = await fileMode(path);
  if (mode === undefined) return ok('config-permissions', 'No config file to check');
  if ((mode & 0o077) === 0) return ok('config-permissions', `Config ${path} is private (${octal(mode)})`);
  const check: Check = { id: 'config-permissions', level: 'warn', message: `Config ${path} is ${octal(mode)} but holds the gateway token; it should be 0600`, fixable: true, fixed: false };
  return fixWith(check, fix, async () => {
    await chmod(path, 0o600);
    return `chmod 0600 ${path}`;
  });
}

async function checkToken(inputs: DoctorInputs, config: GatewayFileConfig | undefined, serviceSecrets: Record<string, string>): Promise<Check> {
  const auth = config?.gateway?.auth;
  const token = auth?.token ? 'the config' : inputs.envSecret === 'token' ? 'OPENCLAW_GATEWAY_TOKEN' : serviceSecrets.OPENCLAW_GATEWAY_TOKEN ? 'the service env file' : null;
  const password = auth?.password ? 'the config' : inputs.envSecret === 'password' ? 'OPENCLAW_GATEWAY_PASSWORD' : serviceSecrets.OPENCLAW_GATEWAY_PASSWORD ? 'the service env file' : null;
  const mode = auth?.mode ?? (token ? 'token' : password ? 'password' : 'token');
  if (mode === 'none') return { id: 'token', level: 'warn', message: 'Gateway auth is off (gateway.auth.mode "none"): any local process can operate the gateway', fixable: false, fixed: false };
  if (mode === 'password') {
    return password ? ok('token', `Gateway password set (from ${password})`) : { id: 'token', level: 'error', message: 'gateway.auth.mode is "password" but no password is set: the gateway refuses to start', fixable: false, fixed: false };
  }
  if (mode !== 'token') return ok('token', `Gateway auth mode ${mode}`);
  if (token) return ok('token', `Gateway token set (from ${token})`);
  const check: Check = config
    ? { id: 'token', level: 'error', message: 'No gateway token is configured: the gateway refuses to start and clients cannot authenticate', fixable: true, fixed: false }
    : { id: 'token', level: 'info', message: 'No config yet: the gateway generates a token on first start (--fix writes one now)', fixable: true, fixed: false };
  return fixWith(check, inputs.fix, async () => {
    const read = readConfigFile(inputs.configPath);
    if (read.kind === 'invalid') throw new Error(`the config is invalid (${read.issue}); fix it first`);
    const next: GatewayFileConfig = structuredClone(read.kind === 'ok' ? read.config : { gateway: { mode: 'local' as const } });
    const gateway = (next.gateway ??= {});
    const nextAuth = (gateway.auth ??= {});
    nextAuth.mode ??= 'token';
    nextAuth.token = inputs.newToken();
    writeConfigFile(inputs.configPath, next);
    return `generated a token into gateway.auth.token of ${inputs.configPath}`;
  });
}

async function checkService(inputs: DoctorInputs, existing: ReadonlyMap<string, string>): Promise<Check[]> {
  const { manager, spec, runner } = inputs;
  const files = manager.files(spec);
  const definition = files[0];
  if (!definition || !existing.has(definition.path)) {
    return [{ id: 'service', level: 'info', message: `No gateway service installed (${definition?.path ?? spec.label}); \`openclaw gateway install\` adds one`, fixable: false, fixed: false }];
  }
  const checks: Check[] = [];
  const drift = auditService(manager, spec, existing);
  if (drift.length === 0) checks.push(ok('service', `Service ${spec.label} matches what \`gateway install\` writes now`));
  else {
    const check: Check = {
      id: 'service',
      level: 'warn',
      message: `Service ${spec.label} differs from what \`gateway install\` would write now${inputs.serviceRepair ? '' : ' (not repaired: OPENCLAW_SERVICE_REPAIR_POLICY=external)'}`,
      fixable: inputs.serviceRepair,
      fixed: false,
      details: drift.map((d) => d.message),
    };
    checks.push(
      await fixWith(check, inputs.fix, async () => {
        await writeServiceFiles(files);
        await manager.activate(runner.run, spec, 'replace');
        return `rewrote ${definition.path} and reloaded/restarted ${spec.label}`;
      }),
    );
  }
  const envFile = files.find((file) => file.role === 'env');
  const envMode = envFile ? await fileMode(envFile.path) : undefined;
  if (envFile && envMode !== undefined && (envMode & 0o077) !== 0) {
    const check: Check = { id: 'service-env-file', level: 'warn', message: `Service env file ${envFile.path} is ${octal(envMode)}; it holds secrets and should be 0600`, fixable: true, fixed: false };
    checks.push(await fixWith(check, inputs.fix, async () => {
      await chmod(envFile.path, 0o600);
      return `chmod 0600 ${envFile.path}`;
    }));
  }
  return checks;
}

async function checkLegacyServices(inputs: DoctorInputs): Promise<Check[]> {
  const { spec, runner } = inputs;
  const definitionPath = inputs.manager.files(spec)[0]?.path ?? '';
  const extras = await findExtraServices(spec.platform, spec.home, { definitionPath, label: spec.label }, runner.run, spec.uid);
  const legacy = extras.filter((extra) => extra.legacy && extra.scope === 'user');
  const checks: Check[] = [];
  for (const extra of legacy) {
    const check: Check = { id: 'legacy-service', level: 'warn', message: `Legacy gateway service ${extra.path} is still installed and may fight over the port`, fixable: inputs.serviceRepair, fixed: false };
    checks.push(await fixWith(check, inputs.fix, () => removeLegacyService(extra, spec.uid, runner.run)));
  }
  return checks;
}

async function checkPort(inputs: DoctorInputs, servicePid: number | undefined): Promise<Check> {
  const status = await inspectPort(inputs.runner.run, inputs.port);
  const foreign = status.listeners.filter((l) => !looksLikeGateway(l) && (servicePid === undefined || l.pid !== servicePid));
  if (status.status === 'free') return ok('port', `Port ${inputs.port} is free`);
  if (foreign.length === 0) return ok('port', `Port ${inputs.port} is held by a gateway${status.source === 'connect' ? ' (or something: no lsof/ss to tell)' : ''}`);
  return {
    id: 'port',
    level: 'warn',
    message: `Port ${inputs.port} is in use by another program: the gateway cannot start there`,
    fixable: false,
    fixed: false,
    details: foreign.map((l) => `${l.command ?? '?'} (pid ${l.pid ?? '?'}${l.user ? `, user ${l.user}` : ''}) on ${l.address ?? '?'}`),
  };
}

/** Runs every audit (and its repair with `fix`), in a fixed order. */
export async function runDoctor(inputs: DoctorInputs, serviceSecrets: Record<string, string>): Promise<DoctorReport> {
  const checks: Check[] = [];
  const read = readConfigFile(inputs.configPath);
  let config: GatewayFileConfig | undefined;
  if (read.kind === 'missing') checks.push({ id: 'config', level: 'info', message: `No config at ${inputs.configPath} (the gateway writes a default one on first start)`, fixable: false, fixed: false });
  else if (read.kind === 'invalid') checks.push({ id: 'config', level: 'error', message: `Config ${inputs.configPath} is invalid: ${read.issue}`, fixable: false, fixed: false });
  else {
    config = read.config;
    const mode = config.gateway?.mode;
    checks.push(mode === 'local' ? ok('config', `Config ${inputs.configPath} is valid`) : { id: 'config', level: 'warn', message: `Config is valid, but gateway.mode is ${mode === undefined ? 'unset' : `"${mode}"`}: the gateway refuses to start without "local" (\`openclaw setup\` sets it)`, fixable: false, fixed: false });
  }
  checks.push(await checkStateDir(inputs));
  checks.push(await checkConfigPermissions(inputs.configPath, inputs.fix));
  if (read.kind !== 'invalid') checks.push(await checkToken(inputs, config, serviceSecrets));
  const existing = await readServiceFiles(inputs.manager.files(inputs.spec));
  checks.push(...(await checkService(inputs, existing)));
  checks.push(...(await checkLegacyServices(inputs)));
  const inspection = existing.size > 0 ? await inputs.manager.inspect(inputs.runner.run, inputs.spec) : undefined;
  checks.push(await checkPort(inputs, inspection?.runtime.pid));
  return {
    ok: !checks.some((check) => check.level === 'error' && !check.fixed),
    fixMode: inputs.fix,
    profile: inputs.profile,
    stateDir: inputs.stateDir,
    configPath: inputs.configPath,
    checks,
  };
}
