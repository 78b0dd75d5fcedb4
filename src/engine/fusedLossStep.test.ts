// The fused loss step (native/lossStep.c, one native call a step) against its twin, the JS step
// calling each kernel natively (fusedSteps: false, every product native): the same bits in
// every norm, on every micro-kernel's instruction set, through the cases where the JS step
// rescales (tiny hidden states, saturated units, overflowing states), falls back from the gram
// route, or takes over a step itself (the LSTM's saturated steps).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runProbe } from './probe';
import { FUSED_STEP_CASES } from './testing/fusedStepCases';
import type { ChosenStepNorms, StepNormName } from './backward';
import { setKernelPreference, Workspace } from './workspace';
import { nativeBinding } from './native/nativeKernels';
import { LOSS_STEP_SLOTS } from './fusedLossStep';

const native = nativeBinding();
const ISAS = native?.isas?.() ?? [];

const CASES = FUSED_STEP_CASES;
const NORM_CHOICES: (readonly StepNormName[] | undefined)[] = [undefined, ['dh'], ['dWh', 'db'], ['dc', 'dWx']];

function expectSameBits(a: ChosenStepNorms, b: ChosenStepNorms, what: string): void {
  expect(Object.keys(a).sort(), what).toEqual(Object.keys(b).sort());
  for (const key of Object.keys(b) as StepNormName[]) {
    const x = a[key]!;
    const y = b[key]!;
    for (let k = 0; k < y.length; k++) {
      if (!Object.is(x[k], y[k])) throw new Error(`${what}: ${key}[${k}] is ${x[k]} fused, ${y[k]} from JS`);
    }
  }
}

describe.skipIf(!native?.lossStep)('the fused loss step', () => {
  afterEach(() => {
    setKernelPreference('auto');
    if (native) native.useIsa(native.isas?.()[0] ?? native.isa());
    vi.restoreAllMocks();
  });

  for (const isa of ISAS) {
    it(`${isa}: gives the JS step's bits (every product native), each norm choice, saturated and rescaled steps included`, () => {
      expect(native!.useIsa(isa)).toBe(true);
      setKernelPreference('native');
      const fused = Workspace.create(8).kernels.fusedSteps!;
      const run = vi.spyOn(fused, 'lossStep');
      let steps = 0;
      for (const c of CASES) {
        for (const norms of NORM_CHOICES) {
          const what = `${JSON.stringify(c)} norms ${norms?.join(',') ?? 'all'}`;
          const a = runProbe(c, { norms, fusedSteps: true });
          const b = runProbe(c, { norms, fusedSteps: false });
          expectSameBits(a.lossStepNorms, b.lossStepNorms, what);
          steps += c.T;
        }
      }
      // Most steps ran fused; the LSTM's saturated ones (bScale 100, 20) in JS.
      expect(run.mock.calls.length).toBeGreaterThan(steps * 0.8);
      expect(run.mock.calls.length).toBeLessThan(steps);
    });
  }

  it('gives the JS bits on a checkpointed trace (each segment recomputed) and in every row of a loss table', () => {
    setKernelPreference('native');
    for (const c of [CASES[0], CASES[1], CASES[10]]) {
      for (const segment of [3, 7]) {
        const a = runProbe(c, { checkpointSegment: segment, fusedSteps: true });
        const b = runProbe(c, { checkpointSegment: segment, fusedSteps: false });
        expect(a.checkpointed).toBe(true);
        expectSameBits(a.lossStepNorms, b.lossStepNorms, `${JSON.stringify(c)} segments of ${segment}`);
      }
      const steps = [0, 5, c.T - 1];
      const a = runProbe(c, { lossTable: true, lossTableSteps: steps, fusedSteps: true });
      const b = runProbe(c, { lossTable: true, lossTableSteps: steps, fusedSteps: false });
      a.lossTable!.forEach((row, i) => expectSameBits(row, b.lossTable![i], `loss table row ${steps[i]}`));
    }
  });

  it('refuses a short plan, offsets outside the arena and bad sizes, naming the slot', () => {
    const arena = new Float64Array(64);
    expect(() => native!.lossStep!(arena, new Float64Array(3))).toThrow(/lossStep: plan must hold/);
    const plan = new Float64Array(LOSS_STEP_SLOTS);
    plan.set([2, 2, 2, 2, 0, 1, 0]); // N, D, H, G (RNN), flags: dh, route B
    expect(() => native!.lossStep!(arena, plan)).not.toThrow();
    plan[7] = 63; // dh: 4 doubles from 63
    expect(() => native!.lossStep!(arena, plan)).toThrow(/lossStep: plan\[7\]: 4 doubles from 63 are outside the arena of 64/);
    plan[7] = 0.5;
    expect(() => native!.lossStep!(arena, plan)).toThrow(/plan\[7\]/);
    plan[7] = 0;
    plan[3] = 3; // G must be H for the RNN
    expect(() => native!.lossStep!(arena, plan)).toThrow(/G = 4H \(LSTM\) or H \(RNN\)/);
    plan[3] = 2;
    plan[6] = 3; // no such route
    expect(() => native!.lossStep!(arena, plan)).toThrow(/route 0\.\.2/);
    expect(() => native!.lossStep!(arena, plan.slice(0, 10) as never)).toThrow(/plan must hold/);
    expect(() => native!.lossStep!([] as never, plan)).toThrow(/arena must be a Float64Array/);
  });
});
