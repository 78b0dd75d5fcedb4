// `--norms dh,dc` (probe and sweep): the norms to compute, a comma-separated subset of the five.
import { NORM_NAMES, type NormName } from '../../contract/labApi';
import { canonicalNorms } from '../../contract/sweepSpec';
import { CliError } from './cliError';

export const NORMS_FLAG_HELP = `the norms to compute, comma-separated: some of ${NORM_NAMES.join(', ')} (default all)`;

/** The flag's names in the usual order, or a refusal naming the flag and the allowed names. */
export function parseNormsFlag(raw: string): NormName[] {
  const names = raw.split(',').map((n) => n.trim());
  const allowed = `allowed: ${NORM_NAMES.join(', ')}`;
  if (names.length === 0 || names.some((n) => n === ''))
    throw new CliError(`--norms must list norms separated by commas (${allowed}), got ${JSON.stringify(raw)}`);
  for (const n of names) {
    if (!(NORM_NAMES as readonly string[]).includes(n))
      throw new CliError(`--norms: ${JSON.stringify(n)} is not a norm (${allowed})`);
  }
  if (new Set(names).size !== names.length) throw new CliError(`--norms lists a norm more than once: ${JSON.stringify(raw)}`);
  return canonicalNorms(names as NormName[]);
}
