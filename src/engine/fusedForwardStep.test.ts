// The fused forward step (native/forwardStep.c, one native call a step) against its twin, the JS
// step calling each kernel natively (fusedSteps: false, every product native): the same bits in
// the forward pass's summary and the theory its sums feed, on every micro-kernel's instruction
// set, with stored and checkpointed traces (a recomputed segment replays the first pass's
// scaling) and the steps that stay in JS among them (step 0, saturation checks, saturated and
// rescaled LSTM steps).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runProbe } from './probe';
import type { ProbeConfigInput } from './probeConfig';
import { FUSED_STEP_CASES } from './testing/fusedStepCases';
import { setKernelPreference, Workspace } from './workspace';
import { nativeBinding } from './native/nativeKernels';
import { FORWARD_STEP_SLOTS } from './fusedForwardStep';

const native = nativeBinding();
const ISAS = native?.isas?.() ?? [];

const CASES = FUSED_STEP_CASES;

/** Everything of a probe the forward pass decides: its summary, the theory from its sums, and the norms downstream. */
function forwardBits(c: ProbeConfigInput, fusedSteps: boolean, checkpointSegment?: number): string {
  const r = runProbe(c, { fusedSteps, checkpointSegment, totalLoss: true });
  const f = r.forward;
  const norms = Object.entries(r.lossStepNorms).map(([k, v]) => [k, [...v!].map((x) => (Object.is(x, -0) ? '-0' : x))]);
  return JSON.stringify([f.loss, f.hFro, [...f.hLast], r.theory, norms]);
}

describe.skipIf(!native?.forwardStep)('the fused forward step', () => {
  afterEach(() => {
    setKernelPreference('auto');
    if (native) native.useIsa(native.isas?.()[0] ?? native.isa());
    vi.restoreAllMocks();
  });

  for (const isa of ISAS) {
    it(`${isa}: gives the JS step's bits (every product native), stored and checkpointed traces, JS steps among them`, () => {
      expect(native!.useIsa(isa)).toBe(true);
      setKernelPreference('native');
      const run = vi.spyOn(Workspace.create(8).kernels.fusedSteps!, 'forwardStep');
      let steps = 0;
      for (const c of CASES) {
        for (const segment of [undefined, 7]) {
          expect(forwardBits(c, true, segment), `${JSON.stringify(c)} segments of ${segment ?? 'T'}`).toBe(
            forwardBits(c, false, segment),
          );
          steps += c.T;
        }
      }
      // Most steps ran fused (a checkpointed trace's recomputations too); step 0 and the checked ones in JS.
      expect(run.mock.calls.length).toBeGreaterThan(steps * 0.8);
      expect(run.mock.calls.length).toBeLessThan(2 * steps);
    });
  }

  it('refuses a short plan, offsets outside the arena, bad sizes and short forget-gate arrays, naming them', () => {
    const arena = new Float64Array(64);
    const none = new Float64Array(0);
    expect(() => native!.forwardStep!(arena, new Float64Array(3), none, none)).toThrow(/forwardStep: plan must hold/);
    const plan = new Float64Array(FORWARD_STEP_SLOTS);
    plan.set([2, 2, 2, 0, 0, 1, 1]); // N, H, G (RNN), route B, hasPrev, sums
    plan.set([0, 8, 12, 16, 0, 20, 24], 7); // A, hPrev, Wh, Wh^T, (packed), slope, Hs
    expect(() => native!.forwardStep!(arena, plan, none, none)).not.toThrow();
    plan[13] = 62; // Hs: 4 doubles from 62
    expect(() => native!.forwardStep!(arena, plan, none, none)).toThrow(
      /plan\[13\]: 4 doubles from 62 are outside the arena of 64/,
    );
    plan[13] = 24;
    plan[2] = 3;
    expect(() => native!.forwardStep!(arena, plan, none, none)).toThrow(/G = 4H \(LSTM\) or H \(RNN\)/);
    plan.set([1, 2, 8, 1], 0); // an LSTM: N = 1, H = 2, G = 8, with sums
    plan.set([0, 8, 12, 28, 0, 44, 52, 54, 56], 7); // A, hPrev, Wh, Wh^T, (packed), slope, Hs, C, coef
    const products = new Float64Array(2);
    const events = new Float64Array(5);
    expect(() => native!.forwardStep!(arena, plan, products, events)).toThrow(
      /forwardStep: plan\[15\]: 12 doubles from 56 are outside the arena of 64/,
    );
    const big = new Float64Array(256);
    expect(() => native!.forwardStep!(big, plan, none, none)).toThrow(/products must hold N\*H doubles and events 1 \+ 2\*N\*H/);
    expect(() => native!.forwardStep!(big, plan, products, events)).not.toThrow();
  });
});
