// Which sweeps `seqlab export --sweep X ...` means: X is a sweep's id, or a name only when one
// sweep has it. Two sweeps may share a name (a rerun, a renamed copy), and an export of both
// under one name would blur them together: then the candidates are listed, to be given by id.
import type { SweepSummary } from '../../contract/labApi';
import type { LabReader } from '../../lab/labReader';
import { CliError } from './cliError';

/** One line per candidate: id, name, created, probes. */
export function candidateLines(sweeps: readonly SweepSummary[]): string[] {
  return sweeps.map(
    (s) => `  ${s.id}  ${JSON.stringify(s.name)}  created ${s.createdAt}  ${s.probes.done}/${s.probes.total} probes done`,
  );
}

/** The sweep ids of --sweep ID|NAME ... (every sweep when none), each ref meaning exactly one sweep. */
export function exportSweepIds(lab: LabReader, refs: readonly string[], db: string): number[] {
  const ids: number[] = [];
  for (const ref of refs) {
    const matches = lab.sweepMatches(ref);
    if (!matches.ok) throw new CliError(`--sweep ${ref}: ${matches.error.message}`);
    const found = matches.value;
    if (found.length === 0) throw new CliError(`--sweep ${ref}: no sweep with that name or id in ${db}`);
    if (found.length > 1) {
      throw new CliError(
        [`--sweep ${ref}: ${found.length} sweeps match; give the one you mean by its id:`, ...candidateLines(found)].join('\n'),
      );
    }
    if (!ids.includes(found[0].id)) ids.push(found[0].id);
  }
  return ids;
}
