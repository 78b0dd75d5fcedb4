// The footer line of a figure: which sweep(s) it shows and their configuration, so a figure
// found later in a paper's folder says what produced it (the SeqLab version is appended by
// figureFooter).
import type { SweepSpec } from '../../../../contract/sweepSpec';

export interface FooterSweep {
  id: number;
  name: string;
  spec: SweepSpec;
}

function values(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  if (v && typeof v === 'object') {
    const r = v as { from?: number; to?: number; count?: number; scale?: string };
    return `${r.from}…${r.to} (${r.count}${r.scale === 'log' ? ', log' : ''})`;
  }
  return String(v);
}

function lossStep(l: SweepSpec['lossStep']): string {
  if (l === 'last') return 'last';
  return typeof l === 'number' ? String(l) : `${l.fraction} T`;
}

/** "rnn, lstm · T 16, 64 · bf 0, 2 · seeds 1 · N=4 D=1 H=8 · init scaled g=1 · loss step last". */
export function specSummary(spec: SweepSpec): string {
  const parts = [
    spec.archs.join(', '),
    `T ${values(spec.T)}`,
    spec.archs.some((a) => a !== 'rnn') ? `bf ${values(spec.forgetBias)}` : '',
    `seeds ${values(spec.seeds)}`,
    `N=${spec.N} D=${spec.D} H=${spec.H}`,
    `init ${spec.init.scheme} g=${spec.init.whGain}${spec.init.h0Scale ? ` h0=${spec.init.h0Scale}` : ''}${spec.init.bScale ? ` b=${spec.init.bScale}` : ''}`,
    `loss step ${lossStep(spec.lossStep)}`,
    spec.weights ? `weights ${spec.weights}${spec.layer !== undefined ? ` layer ${spec.layer}` : ''}` : '',
    spec.inputs ? `inputs ${spec.inputs}` : '',
    spec.norms ? `norms ${spec.norms.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** `Sweep "name" (#3): <spec>`; several sweeps one after another, separated by "; ". */
export function sweepFooter(sweeps: FooterSweep[]): string {
  if (sweeps.length === 0) return '';
  const one = (s: FooterSweep): string => `"${s.name}" (#${s.id}): ${specSummary(s.spec)}`;
  return `${sweeps.length === 1 ? 'Sweep' : 'Sweeps'} ${sweeps.map(one).join('; ')}`;
}
