// A user error the CLI reports as one line on stderr with a non-zero exit.
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

/** Parses a flag value as a number, naming the flag and the allowed range when it is not one. */
export function parseNumberFlag(flag: string, range: string, integer: boolean) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new CliError(`${flag} must be ${integer ? 'an integer' : 'a number'} in ${range}, got ${JSON.stringify(raw)}`);
    }
    return v;
  };
}
