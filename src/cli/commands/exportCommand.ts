// `seqlab export --db lab.sqlite --out results.csv [--sweep NAME|ID ...]`: tidy CSV, streamed.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { exportCsvToFile } from '../../lab/export/csvExport';
import { withReadonlyStore } from '../../lab/store/readSummaries';
import { CliError } from './cliError';
import { existingFile } from './labFlags';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export finished probes as a tidy CSV, one row per (probe, step)')
    .requiredOption('--db <file>', 'lab file (SQLite)')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--sweep <name|id...>', 'only these sweeps (by name or id); default every sweep')
    .action(async (flags: { db: string; out: string; sweep?: string[] }) => {
      existingFile(flags.db, '--db');
      if (!existsSync(dirname(resolve(flags.out)))) throw new CliError(`--out ${flags.out}: the folder does not exist`);
      let sweepIds: number[];
      try {
        sweepIds = withReadonlyStore(flags.db, {}, (store) => {
          const ids: number[] = [];
          for (const key of flags.sweep ?? []) {
            const byName = store.sweepsByName(key).map((s) => s.id);
            const byId = /^\d+$/.test(key) && store.getSweep(Number(key)) ? [Number(key)] : [];
            const found = byName.length > 0 ? byName : byId;
            if (found.length === 0) throw new CliError(`--sweep ${key}: no sweep with that name or id in ${flags.db}`);
            ids.push(...found);
          }
          return [...new Set(ids)];
        });
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`--db ${flags.db}: ${(err as Error).message}`);
      }
      try {
        const rows = await exportCsvToFile({ dbPath: flags.db, sweepIds }, flags.out);
        process.stderr.write(`wrote ${rows} rows to ${flags.out}\n`);
      } catch (err) {
        throw new CliError(`--out ${flags.out}: ${(err as Error).message}`, 1);
      }
    });
}
