// The Loss step field: the step whose loss the gradients flow back from, counted as the user
// counts steps (t = 1..T, as the spec's lossStep): the last step (the default), a fixed step t
// (inside every probe of the sweep, so at most its shortest T), or a fraction of each probe's T.
import type { LossStep } from '../../../contract/sweepSpec';
import { SWEEP_LIMITS } from '../../../contract/sweepSpec';
import { readNumber, type Read } from './numberInput';

export type LossStepMode = 'last' | 'step' | 'fraction';

export interface LossStepText {
  mode: LossStepMode;
  step: string;
  fraction: string;
}

/** `shortestT`: the shortest sequence of the sweep, when the T field reads. */
export function readLossStep(text: LossStepText, shortestT: number | null): Read<LossStep> {
  if (text.mode === 'last') return { ok: true, value: 'last' };
  if (text.mode === 'step') {
    const r = readNumber(text.step, { kind: 'integer', min: 1, max: shortestT ?? SWEEP_LIMITS.T.max });
    if (r.ok) return r;
    const why = shortestT === null ? '' : ` (the shortest sequence has T = ${shortestT})`;
    return { ok: false, problem: `step ${r.problem}${why}` };
  }
  const r = readNumber(text.fraction, { kind: 'real', min: 0, max: 1 });
  return r.ok ? { ok: true, value: { fraction: r.value } } : { ok: false, problem: `fraction of T ${r.problem}` };
}

export function lossStepText(lossStep: LossStep): LossStepText {
  const text: LossStepText = { mode: 'last', step: '1', fraction: '0.5' };
  if (typeof lossStep === 'number') return { ...text, mode: 'step', step: String(lossStep) };
  if (typeof lossStep === 'object') return { ...text, mode: 'fraction', fraction: String(lossStep.fraction) };
  return text;
}
