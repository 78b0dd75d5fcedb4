// The sentence under the Decay curves chart: what the drawn lines are, only for what is on
// screen (an RNN-only chart says nothing of LSTM lines). Pure.
import type { Arch, NormName } from '../../../contract/labApi';
import type { SeriesSummary, TheoryLineSummary } from './decayChart';
import { ARCH_NAMES } from './seriesEncoding';
import { theoryCaption, THEORY_KINDS } from './theoryLines';

export function decayCaption(opts: {
  norm: NormName;
  series: readonly SeriesSummary[];
  theoryLines: readonly TheoryLineSummary[];
  bands: boolean;
  /** Architectures among the chosen sweeps' series (before filters): says why dc has no RNN. */
  archsChosen: readonly Arch[];
}): string {
  const { series } = opts;
  if (series.length === 0) return '';
  const archs = (['rnn', 'lstm', 'gru'] as const).filter((a) => series.some((s) => s.role === a));
  const several = series.some((s) => s.seeds > 1);
  const parts: string[] = [];
  parts.push(
    `Thick lines: ${archs.map((a) => ARCH_NAMES[a]).join(', ')} measured, ${several ? 'the median over seeds' : 'one seed each'}.`,
  );
  if (several && opts.bands) parts.push('Shaded: min–max over seeds.');
  if (opts.norm === 'dc' && opts.archsChosen.some((a) => a !== 'lstm'))
    parts.push('Only the LSTM is drawn: dc, the cell-state gradient, exists only for the LSTM.');
  const kinds = THEORY_KINDS.filter((k) => opts.theoryLines.some((t) => t.kind === k));
  const theory = theoryCaption(kinds);
  if (theory) parts.push(theory);
  return parts.join(' ');
}
