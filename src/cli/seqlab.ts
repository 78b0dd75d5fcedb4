// The `seqlab` command: one subcommand per file in ./commands, each a thin shell over the core.
import { Command } from 'commander';
import { registerProbeCommand } from './commands/probeCommand';
import { registerServeCommand } from './commands/serveCommand';
import { registerSweepCommand } from './commands/sweepCommand';
import { registerStatusCommand } from './commands/statusCommand';
import { registerExportCommand } from './commands/exportCommand';
import { registerSummaryCommand } from './commands/summaryCommand';
import { registerMergeCommand } from './commands/mergeCommand';
import { registerSlurmCommand } from './commands/slurmCommand';
import { registerK8sCommand } from './commands/k8sCommand';
import { CliError } from './commands/cliError';
import { enableRelaxedSimd } from '../lab/relaxedSimd';

export function buildProgram(): Command {
  const program = new Command('seqlab')
    .description('Exact per-step BPTT gradient norms for vanilla RNNs and LSTMs, and sweeps over them.')
    .showHelpAfterError('(run seqlab --help for usage)')
    .exitOverride();
  registerProbeCommand(program);
  registerSweepCommand(program);
  registerStatusCommand(program);
  registerExportCommand(program);
  registerSummaryCommand(program);
  registerMergeCommand(program);
  registerSlurmCommand(program);
  registerK8sCommand(program);
  registerServeCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  enableRelaxedSimd();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`seqlab: ${err.message}`);
      process.exit(err.exitCode);
    }
    const code = (err as { exitCode?: number }).exitCode;
    // commander has already printed its own message for usage errors and --help.
    if (typeof code === 'number') process.exit(code);
    console.error(`seqlab: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main(process.argv);
