// `seqlab status --db lab.sqlite [--json]`: every sweep in the file and its progress (read-only).
import type { Command } from 'commander';
import { CliError } from './cliError';
import { formatSeconds, openReader } from './labFlags';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('list the sweeps in a lab file and their progress')
    .requiredOption('--db <file>', 'lab file (SQLite)')
    .option('--json', 'print a JSON array of sweep summaries')
    .action(status);
}

async function status(flags: { db: string; json?: boolean }): Promise<void> {
  const lab = openReader(flags.db);
  const listed = await lab.listSweeps().finally(() => lab.close());
  if (!listed.ok) throw new CliError(`--db ${flags.db}: ${listed.error.message}`);
  const sweeps = listed.value;
  if (flags.json) {
    process.stdout.write(JSON.stringify(sweeps) + '\n');
    return;
  }
  if (sweeps.length === 0) {
    process.stdout.write('no sweeps\n');
    return;
  }
  const rows = sweeps.map((s) => [
    String(s.id),
    s.name,
    s.status,
    `${s.probes.done}/${s.probes.total}`,
    String(s.probes.queued),
    String(s.probes.running),
    String(s.probes.failed),
    String(s.probes.cancelled),
    formatSeconds(s.elapsedSeconds),
  ]);
  const head = ['id', 'name', 'status', 'done', 'queued', 'running', 'failed', 'cancelled', 'elapsed'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write([fmt(head), ...rows.map(fmt)].join('\n') + '\n');
}
