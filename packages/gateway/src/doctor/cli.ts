/**
 * `praktor doctor`: runs every check and prints what it found, with the fix for each problem; exits 1 when a
 * check failed. `--json` prints the report for scripts.
 */
import { parseArgs } from 'node:util';
import { type DoctorCheck, type DoctorReport, messageOf } from '@praktor/protocol';
import { ConfigError, loadConfig } from '../config/index.js';
import { printable } from '../printable.js';
import { runChecks } from './checks.js';

export const DOCTOR_USAGE = `Usage: praktor doctor [--json]

Checks what Praktor needs, as the gateway would find it here: the configuration, model credentials and the
model API, Telegram, Docker and the agent images, bubblewrap, Mission Control's exposure, the vault, disk space
and the clock. Each problem comes with its fix. Exits 1 when a check failed, 0 otherwise (warnings included).
  --json   print the report as JSON
`;

const MARK: Record<DoctorCheck['status'], string> = { ok: '✔', warn: '!', fail: '✖', skip: '-' };

/** Runs `praktor doctor <args>`; resolves with the exit code. */
export async function doctorCommand(
  args: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let json: boolean;
  try {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      out.write(DOCTOR_USAGE);
      return 0;
    }
    json = values.json ?? false;
  } catch (e) {
    err.write(`praktor doctor: ${printable(messageOf(e))}\n\n${DOCTOR_USAGE}`);
    return 1;
  }
  let checks: DoctorCheck[];
  try {
    const loaded = loadConfig({ env });
    checks = await runChecks({ config: loaded.config, warnings: loaded.warnings, env });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    checks = [
      {
        id: 'config',
        label: 'Configuration',
        status: 'fail',
        detail: e.message,
        fix: 'correct what is named (see docs/configuration.md); the other checks need a valid configuration',
      },
    ];
  }
  const report: DoctorReport = { ok: checks.every((c) => c.status !== 'fail'), checks };
  if (json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const c of checks) {
      out.write(`${MARK[c.status]} ${c.label}: ${printable(c.detail)}\n`);
      if (c.fix !== null) out.write(`    fix: ${printable(c.fix)}\n`);
    }
    const failed = checks.filter((c) => c.status === 'fail').length;
    const warned = checks.filter((c) => c.status === 'warn').length;
    out.write(
      failed > 0
        ? `\n${failed} problem${failed === 1 ? '' : 's'} to fix${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.\n`
        : `\nAll good${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.\n`,
    );
  }
  return report.ok ? 0 : 1;
}
