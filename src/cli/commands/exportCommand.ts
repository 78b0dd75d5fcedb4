// `seqlab export --db lab.sqlite --out results.csv [--sweep NAME|ID ...]`: tidy CSV, streamed.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './cliError';
import { existingFile, openReader } from './labFlags';

interface ExportFlags {
  db: string;
  out: string;
  sweep?: string[];
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export finished probes as a tidy CSV, one row per (probe, step)')
    .requiredOption('--db <file>', 'lab file (SQLite)')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--sweep <name|id...>', 'only these sweeps (by name or id); default every sweep')
    .action(exportCsv);
}

async function exportCsv(flags: ExportFlags): Promise<void> {
  existingFile(flags.db, '--db');
  if (!existsSync(dirname(resolve(flags.out)))) throw new CliError(`--out ${flags.out}: the folder does not exist`);
  const lab = openReader(flags.db);
  try {
    const refs = flags.sweep ?? [];
    const sweepIds = await lab.resolveSweeps(refs);
    if (!sweepIds.ok) {
      const issue = sweepIds.error.issues?.[0];
      const ref = issue ? refs[Number(issue.path)] : undefined;
      if (sweepIds.error.code === 'not-found' && ref !== undefined) {
        throw new CliError(`--sweep ${ref}: no sweep with that name or id in ${flags.db}`);
      }
      throw new CliError(`--sweep: ${sweepIds.error.message}`);
    }
    const done = await lab.exportCsvToFile({ sweepIds: sweepIds.value }, flags.out);
    if (!done.ok) throw new CliError(`--out ${flags.out}: ${done.error.message}`, 1);
    process.stderr.write(`wrote ${done.value.rows} rows to ${flags.out}\n`);
  } finally {
    lab.close();
  }
}
