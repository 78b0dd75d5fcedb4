// Long sequences in bounded memory (issue 9): a checkpointed trace (a checkpoint every segment,
// each segment recomputed when backprop reaches it) gives the stored trace's results to the
// bit, at every T and segment length, for both architectures, with and without saturated steps;
// and the memory plan checkpoints exactly when the stored trace does not fit.
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfigInput, type ProbeOptions, type ProbeResult } from './index';
import { drawTimeMajor } from './inputs';
import { copyTimeMajor } from './linalg';
import { STORED_TRACE_MAX_BYTES, checkpointSegment, planTrace, probeDoubles, type ProbeNeeds } from './tracePlan';
import { DEFAULT_MAX_PROBE_BYTES, probeBytes } from './probeLimits';
import { dimsOf, runForward } from './forward';
import { LossStepBackward, backwardDoubles, type StepNormName } from './backward';
import { FullGradientBackward } from './fullGradient';
import { Workspace } from './workspace';

function expectSameResults(got: ProbeResult, want: ProbeResult): void {
  expect(got.forward).toEqual(want.forward);
  expect(got.theory).toEqual(want.theory);
  expect(got.lossStepNorms).toEqual(want.lossStepNorms);
  expect(got.fullGradNorms).toEqual(want.fullGradNorms);
  expect(got.lossTable).toEqual(want.lossTable);
}

const CONFIGS: ProbeConfigInput[] = [
  { arch: 'rnn', T: 97, N: 3, D: 4, H: 5, seed: 1, whGain: 1.5, h0Scale: 1 },
  { arch: 'lstm', T: 120, N: 2, D: 3, H: 6, seed: 2, forgetBias: 2, h0Scale: 1, bScale: 1 },
  // Saturated steps, their slopes relative to each step's largest: 19 of 40 RNN steps, every
  // one of 60 LSTM steps (gates beyond |a| = 170), and 330 of 500 with cells beyond |c| = 170.
  { arch: 'rnn', T: 40, N: 2, D: 2, H: 1, seed: 72, whGain: 100, bScale: 100 },
  { arch: 'lstm', T: 60, N: 2, D: 2, H: 2, seed: 2, whGain: 50, bScale: 100 },
  { arch: 'lstm', T: 500, N: 1, D: 1, H: 1, seed: 19, forgetBias: 50, bScale: 10 },
];

describe('a checkpointed trace against the stored one', () => {
  for (const config of CONFIGS) {
    const T = config.T;
    for (const segment of [1, 7, Math.ceil(Math.sqrt(T)), T - 1]) {
      it(`${config.arch} T=${T} seed=${config.seed}, segments of ${segment}: the same results to the bit`, () => {
        const options: ProbeOptions = { fullGradients: true, totalLoss: true };
        const stored = runProbe(config, options);
        const checkpointed = runProbe(config, { ...options, checkpointSegment: segment });
        expect(stored.checkpointed).toBe(false);
        expect(checkpointed.checkpointed).toBe(true);
        expectSameResults(checkpointed, stored);
      });
    }
  }

  it('an earlier loss step, and the whole loss table, from a checkpointed trace', () => {
    const config = { arch: 'lstm', T: 30, N: 2, D: 2, H: 3, seed: 5, forgetBias: 1, lossStep: 17 } as const;
    const options: ProbeOptions = { fullGradients: true, lossTable: true };
    expectSameResults(runProbe(config, { ...options, checkpointSegment: 4 }), runProbe(config, options));
  });

  it('a probe whose stored trace exceeds its memory checkpoints, and gives the same results', () => {
    const config = withDefaults({ arch: 'lstm', T: 2000, N: 4, D: 3, H: 8, seed: 3, forgetBias: 1 });
    const stored = runProbe(config);
    const storedBytes = planTrace(config, {}, DEFAULT_MAX_PROBE_BYTES).bytes;
    const small = runProbe(config, { maxBytes: storedBytes - 1 });
    expect(small.checkpointed).toBe(true);
    expectSameResults(small, stored);
  });
});

describe('the memory plan', () => {
  it('keeps the trace when it fits, checkpoints every ~sqrt(T) steps when it does not', () => {
    const short = { arch: 'lstm', T: 4096, N: 16, D: 16, H: 64 } as const;
    expect(planTrace(short, {}, DEFAULT_MAX_PROBE_BYTES).checkpointed).toBe(false);
    const long = { arch: 'lstm', T: 300_000, N: 4, D: 4, H: 32 } as const;
    const plan = planTrace(long, {}, DEFAULT_MAX_PROBE_BYTES);
    expect(plan.checkpointed).toBe(true);
    expect(plan.segment).toBe(checkpointSegment(dimsOf('lstm', long.T, long.N, long.D, long.H)));
    expect(plan.segment).toBeGreaterThan(100);
    expect(plan.segment).toBeLessThan(1000);
  });

  it('a checkpointing probe needs O(sqrt(T) N H) besides its inputs, far less than its stored trace', () => {
    const c = { arch: 'lstm', T: 300_000, N: 4, D: 4, H: 32 } as const;
    // The stored trace alone: 7 doubles per unit and step.
    expect(8 * 7 * c.T * c.N * c.H).toBeGreaterThan(STORED_TRACE_MAX_BYTES);
    const inputs = 8 * c.T * c.N * c.D;
    const single = probeBytes(c, {});
    expect(single - inputs).toBeLessThan(20 * 1024 ** 2);
    // Every step's dout (full gradients) is an input too: T N H doubles more.
    expect(probeBytes(c, { fullGradients: true }) - single).toBeGreaterThan(8 * c.T * c.N * c.H);
    expect(probeBytes(c, { fullGradients: true })).toBeLessThan(512 * 1024 ** 2);
  });

  it('T = 1,000,000 fits where its stored trace would not', () => {
    const c = { arch: 'rnn', T: 1_000_000, N: 4, D: 4, H: 64 } as const;
    const plan = planTrace(c, {}, DEFAULT_MAX_PROBE_BYTES);
    expect(plan.checkpointed).toBe(true);
    expect(plan.bytes).toBeLessThan(256 * 1024 ** 2);
  });
});

describe('drawing the inputs straight into time-major buffers', () => {
  for (const doutStep of [undefined, 5]) {
    it(`gives copyTimeMajor(buildInputs) to the bit (${doutStep === undefined ? 'every step' : 'one step'} of dout)`, () => {
      const config = withDefaults({
        arch: 'lstm',
        T: 9,
        N: 3,
        D: 4,
        H: 5,
        seed: 7,
        whGain: 2,
        h0Scale: 0.5,
        bScale: 1,
        forgetBias: 1,
      });
      const { N, T, D, H } = config;
      const want = buildInputs(config, doutStep);
      const X = new Float64Array(T * N * D);
      const dout = new Float64Array(doutStep === undefined ? T * N * H : N * H);
      const got = drawTimeMajor(config, X, dout, doutStep);
      const wantX = new Float64Array(T * N * D);
      copyTimeMajor(want.x, wantX, N, T, D);
      expect(X).toEqual(wantX);
      const wantDout = new Float64Array(T * N * H);
      copyTimeMajor(want.dout, wantDout, N, T, H, doutStep);
      expect(dout).toEqual(doutStep === undefined ? wantDout : wantDout.subarray(doutStep * N * H, (doutStep + 1) * N * H));
      for (const k of ['h0', 'Wx', 'Wh', 'b'] as const) expect(got[k]).toEqual(want[k]);
    });
  }
});

// A probe no pass of which reads h back (no dWh norm, no full gradients) keeps h for two steps
// only (transientHidden in forward.ts): an RNN's trace is half as large, and nothing else changes.
describe('a trace that keeps h for two steps only', () => {
  const WITHOUT_DWH: StepNormName[] = ['dh', 'dc', 'dWx', 'db'];
  const configs: ProbeConfigInput[] = [...CONFIGS, { arch: 'gru', T: 45, N: 3, D: 2, H: 4, seed: 6 }];
  for (const config of configs) {
    for (const segment of [undefined, 2, 7]) {
      it(`${config.arch} T=${config.T} seed=${config.seed}, ${segment ? `segments of ${segment}` : 'stored'}: the asked norms, forward sums and theory to the bit`, () => {
        const all = runProbe(config, { totalLoss: true });
        const transient = runProbe(config, { totalLoss: true, norms: WITHOUT_DWH, checkpointSegment: segment });
        expect(transient.checkpointed).toBe(segment !== undefined);
        expect(transient.forward).toEqual(all.forward);
        expect(transient.theory).toEqual(all.theory);
        for (const name of WITHOUT_DWH) expect(transient.lossStepNorms[name], name).toEqual(all.lossStepNorms[name]);
      });
    }
  }

  it('is planned exactly when no pass reads h back, and halves an RNN trace', () => {
    const c = withDefaults({ arch: 'rnn', T: 5000, N: 16, D: 16, H: 64, seed: 1 });
    const transient = (needs: ProbeNeeds) => planTrace(c, needs, DEFAULT_MAX_PROBE_BYTES).transientHidden;
    expect(transient({ norms: ['dh'] })).toBe(true);
    expect(transient({ norms: WITHOUT_DWH, lyapunovK: 2, allDout: true })).toBe(true);
    expect(transient({})).toBe(false);
    expect(transient({ norms: ['dh', 'dWh'] })).toBe(false);
    expect(transient({ norms: ['dh'], fullGradients: true })).toBe(false);
    const saved =
      planTrace(c, {}, DEFAULT_MAX_PROBE_BYTES).bytes - planTrace(c, { norms: ['dh'] }, DEFAULT_MAX_PROBE_BYTES).bytes;
    expect(saved).toBe(8 * (c.T - 2) * c.N * c.H);
  });

  it('is not planned for a loss table, whose rows are of all five norms, whichever the loss step asks', () => {
    const config = { arch: 'rnn', T: 30, N: 2, D: 2, H: 3, seed: 4 } as const;
    const table = runProbe(config, { lossTable: true, norms: ['dh'] }).lossTable;
    expect(table).toEqual(runProbe(config, { lossTable: true }).lossTable);
  });

  it('a backward pass asked for dWh refuses such a trace instead of reading overwritten states', () => {
    const c = withDefaults({ arch: 'rnn', T: 6, N: 2, D: 2, H: 3, seed: 1 });
    const d = dimsOf(c.arch, c.T, c.N, c.D, c.H);
    const layout = { segment: c.T, allDout: false, transientHidden: true };
    const ws = Workspace.create(probeDoubles(d, layout, { norms: ['dh'] }) + backwardDoubles(d));
    const { trace } = runForward(d, layout, { draw: c }, ws, undefined, c.lossStep);
    expect(() => new LossStepBackward(trace, c.lossStep, ws, {}, ['dh', 'dWh'])).toThrow(/the dWh norms read every step's h/);
    expect(() => new FullGradientBackward(trace, ws)).toThrow(/the full gradients read every step's h/);
  });
});
