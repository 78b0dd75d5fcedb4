// `seqlab export --db lab.sqlite --out results.csv [--sweep ID|NAME ...]`: tidy CSV, streamed, with
// a sweep_id column (two sweeps may share a name).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './cliError';
import { existingFile, openReader } from './labFlags';
import { exportSweepIds } from './exportSweepRefs';

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
    .option(
      '--sweep <id|name...>',
      'only these sweeps, each by its id (or its name, when no other sweep has it); default every sweep',
    )
    .action(exportCsv);
}

async function exportCsv(flags: ExportFlags): Promise<void> {
  existingFile(flags.db, '--db');
  if (!existsSync(dirname(resolve(flags.out)))) throw new CliError(`--out ${flags.out}: the folder does not exist`);
  const lab = openReader(flags.db);
  try {
    const sweepIds = exportSweepIds(lab, flags.sweep ?? [], flags.db);
    const done = await lab.exportCsvToFile({ sweepIds }, flags.out);
    if (!done.ok) throw new CliError(`--out ${flags.out}: ${done.error.message}`, 1);
    process.stderr.write(`wrote ${done.value.rows} rows to ${flags.out}\n`);
  } finally {
    lab.close();
  }
}
