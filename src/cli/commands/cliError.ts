// A user error the CLI reports as one line on stderr with a non-zero exit, and the number flags.
import { parseDecimal } from '../../contract/decimalNumber';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Parses a flag value as a decimal number (as the app's form reads one: "16", "-2.5", "1e3"; not
 * "0x10" or "16abc"), naming the flag and the allowed range when it is not one.
 */
export function parseNumberFlag(flag: string, range: string, integer: boolean) {
  return (raw: string): number => {
    const v = parseDecimal(raw);
    if (Number.isNaN(v) || (integer && !Number.isInteger(v))) {
      throw new CliError(`${flag} must be ${integer ? 'an integer' : 'a number'} in ${range}, got ${JSON.stringify(raw)}`);
    }
    return v;
  };
}

/** A decimal integer flag in [min, max]; anything else is refused naming the flag and the range. */
export function integerFlag(flag: string, min: number, max: number) {
  const parse = parseNumberFlag(flag, `[${min}, ${max}]`, true);
  return (raw: string): number => {
    const v = parse(raw);
    if (v < min || v > max) throw new CliError(`${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
    return v;
  };
}
