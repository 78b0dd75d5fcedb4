// Words for a POSIX shell line (job scripts, a container's `sh -c`): single-quoted unless plainly safe.
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export const shellLine = (words: string[]): string => words.map(shellQuote).join(' ');
