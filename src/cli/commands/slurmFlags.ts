// Flag parsers of the cluster commands (slurm, k8s).
import { CliError } from './cliError';

/** A decimal integer flag in [min, max]: the CLI's one integer parser. */
export { integerFlag as intFlag } from './cliError';

/** A value written into a job script line: one line, no NUL. */
export function scriptValue(flag: string) {
  return (raw: string): string => {
    if (raw.trim() === '' || /[\n\r\0]/.test(raw))
      throw new CliError(`${flag} must be a non-empty value on one line, got ${JSON.stringify(raw)}`);
    return raw;
  };
}

/** Collects a repeatable flag. */
export const collect =
  (parse: (raw: string) => string) =>
  (raw: string, previous: string[] = []): string[] => [...previous, parse(raw)];
