// Where a label may wrap besides its spaces: after the separators inside a long token such as a
// file name ("adding_lstm_T100_H32.safetensors" wraps after "_" or ".", never inside
// "safetensors"). Numbers keep together: "0.5", "-2" and "1e-5" are not split.
//
// The label is cut into pieces that end at such a point; the view puts a <wbr> between them.

/** After these, always (they do not occur inside a number). */
const ALWAYS = new Set(['_', '/', '\\']);
/** After these, only when a letter follows ("example:adding", "bias-offset", not "1e-5", "0.5"). */
const BEFORE_LETTER = new Set(['.', '-', ':', '=']);
const LETTER = /\p{L}/u;

export function wrapPieces(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  const chars = [...text];
  let offset = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    offset += c.length;
    const next = chars[i + 1];
    if (next === undefined || next === ' ') continue;
    if (ALWAYS.has(c) || (BEFORE_LETTER.has(c) && LETTER.test(next))) {
      pieces.push(text.slice(start, offset));
      start = offset;
    }
  }
  if (start < text.length || pieces.length === 0) pieces.push(text.slice(start));
  return pieces;
}
