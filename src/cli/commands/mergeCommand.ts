// `seqlab merge part-*.sqlite --into lab.sqlite`: combine shard files of one sweep.
import type { Command } from 'commander';
import { mergeLabs } from '../../lab/mergeLabs';
import { CliError } from './cliError';
import { existingFile } from './labFlags';

export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('merge lab files of the same sweep spec (e.g. shards) into one')
    .argument('<files...>', 'lab files to merge')
    .requiredOption('--into <file>', 'lab file to merge into (created if missing)')
    .action((files: string[], flags: { into: string }) => {
      for (const f of files) existingFile(f, 'merge');
      try {
        const r = mergeLabs(files, flags.into);
        process.stderr.write(
          `merged ${r.copied} probe(s) from ${files.length} file(s) into ${flags.into}: sweep ${r.sweepId} "${r.name}" ${r.done}/${r.total} done\n`,
        );
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    });
}
