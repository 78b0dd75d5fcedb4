// The refit of the speed model to finished probes, with fabricated timings: it follows what
// probes took when they tell the two costs apart, and cannot go degenerate when they do not.
import { describe, expect, it } from 'vitest';
import { probeCostTerms, type ProbeShape } from '../../engine/probeCost';
import { checkSweepSpec } from './expandSweep';
import { SpeedFit, engineSeconds, estimateProbes, speedModelFrom, type SpeedModel } from './estimateSweep';
import { CALIBRATION_PROBES } from '../../engine/probeCost';

// The once-per-probe work (one large product) runs 10x faster per multiply-add than the steps'.
const TRUE_SPEED: SpeedModel = { perWork: 2.5e-10, perStep: 4e-6, perOnce: 2.5e-11 };
const secondsOf = (c: ProbeShape, m: SpeedModel = TRUE_SPEED, needs = {}): number => engineSeconds(probeCostTerms(c, needs), m);
/** Deterministic noise of a few percent, as a busy machine gives. */
const noisy = (i: number): number => 1 + 0.04 * Math.sin(7.3 * i + 1);

const STANDARD = checkSweepSpec({
  name: 'standard',
  archs: ['rnn', 'lstm'],
  T: [16, 64, 256, 1024],
  forgetBias: [-2, 0, 1, 2, 4],
  N: 16,
  D: 16,
  H: 64,
});
if (!STANDARD.ok) throw new Error('rejected');
const standardSeconds = (m: SpeedModel) => estimateProbes(STANDARD.probes, 1, m).seconds;

describe('the speed refit', () => {
  it('8 or more probes of one shape (the biggest first, as the queue runs them) scale the calibrated model, not a wild fit', () => {
    const shape: ProbeShape = { arch: 'lstm', T: 1024, N: 16, D: 16, H: 64 };
    // The calibration is off by 1.6x (another load when it ran); the finished probes say the truth.
    const calibrated = {
      perWork: TRUE_SPEED.perWork * 1.6,
      perStep: TRUE_SPEED.perStep * 1.6,
      perOnce: TRUE_SPEED.perOnce! * 1.6,
    };
    const fit = new SpeedFit();
    for (let i = 0; i < 12; i++) {
      fit.add(shape, secondsOf(shape) * noisy(i));
      if (i < 7) expect(fit.model(calibrated)).toBeNull();
    }
    const m = fit.model(calibrated)!;
    expect(m.perWork).toBeGreaterThan(0);
    expect(m.perStep).toBeGreaterThan(0);
    // The shape itself is predicted as measured, and the whole sweep within 25% of the truth
    // (it was 53,181 s against 1.46 s).
    expect(secondsOf(shape, m) / secondsOf(shape)).toBeCloseTo(1, 1);
    const ratio = standardSeconds(m) / standardSeconds(TRUE_SPEED);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.25);
  });

  it('identical probes with identical timings (an exactly singular fit) give the calibrated model scaled', () => {
    const shape: ProbeShape = { arch: 'rnn', T: 256, N: 16, D: 16, H: 64 };
    const fit = new SpeedFit();
    for (let i = 0; i < 9; i++) fit.add(shape, 0.05);
    const calibrated = { perWork: 1e-9, perStep: 1e-5 };
    const m = fit.model(calibrated)!;
    expect(m.perWork / calibrated.perWork).toBeCloseTo(m.perStep / calibrated.perStep, 12);
    expect(secondsOf(shape, m)).toBeCloseTo(0.05, 12);
  });

  it('shapes whose work is a fixed multiple of T (one arch, N, D, H; T varies) are told apart by neither term: scaled too', () => {
    const fit = new SpeedFit();
    const calibrated = { perWork: 3e-10, perStep: 1e-6, perOnce: 3e-11 };
    for (const [i, T] of [16, 64, 256, 1024, 16, 64, 256, 1024, 4096].entries()) {
      const c: ProbeShape = { arch: 'lstm', T, N: 16, D: 16, H: 64 };
      fit.add(c, secondsOf(c) * noisy(i));
    }
    const m = fit.model(calibrated)!;
    const ratio = standardSeconds(m) / standardSeconds(TRUE_SPEED);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.25);
  });

  it('calibration recovers the three costs from the three calibration probes (the once probe prices sigma_max)', () => {
    const times = {
      big: secondsOf(CALIBRATION_PROBES.big),
      small: secondsOf(CALIBRATION_PROBES.small),
      once: secondsOf(CALIBRATION_PROBES.once),
    };
    const m = speedModelFrom(times);
    expect(m.perWork / TRUE_SPEED.perWork).toBeCloseTo(1, 2);
    expect(m.perStep / TRUE_SPEED.perStep).toBeCloseTo(1, 2);
    expect(m.perOnce! / TRUE_SPEED.perOnce!).toBeCloseTo(1, 2);
    // The probe, T=4, N=1, D=1, H=4096: its time is its sigma_max, priced as a large product.
    const wide: ProbeShape = { arch: 'lstm', T: 4, N: 1, D: 1, H: 4096 };
    expect(secondsOf(wide, m) / secondsOf(wide)).toBeCloseTo(1, 2);
  });

  it('without a calibrated model, one shape fits the work alone (finite, positive)', () => {
    const shape: ProbeShape = { arch: 'lstm', T: 1024, N: 16, D: 16, H: 64 };
    const fit = new SpeedFit();
    for (let i = 0; i < 8; i++) fit.add(shape, secondsOf(shape) * noisy(i));
    const m = fit.model()!;
    expect(m.perStep).toBe(0);
    expect(m.perWork).toBeGreaterThan(0);
    expect(Number.isFinite(standardSeconds(m))).toBe(true);
  });

  it('varied shapes recover both costs, and what the probes computed (norms, Lyapunov vectors) counts', () => {
    const fit = new SpeedFit();
    const needs = { norms: ['dh' as const], lyapunovVectors: 2 };
    let i = 0;
    for (const H of [4, 16, 64]) {
      for (const T of [16, 256, 1024]) {
        const c: ProbeShape = { arch: 'lstm', T, N: 8, D: 4, H };
        fit.add(c, secondsOf(c, TRUE_SPEED, needs) * (1 + 1e-9 * i++), needs);
      }
    }
    const m = fit.model({ perWork: 1e-9, perStep: 1e-5, perOnce: TRUE_SPEED.perOnce })!;
    expect(m.perWork / TRUE_SPEED.perWork).toBeCloseTo(1, 6);
    expect(m.perStep / TRUE_SPEED.perStep).toBeCloseTo(1, 6);
  });

  it('a fit never moves the calibrated costs by more than 100x, and ignores timings that are not positive and finite', () => {
    const fit = new SpeedFit();
    const shape: ProbeShape = { arch: 'rnn', T: 16, N: 1, D: 1, H: 4 };
    for (const bad of [0, -1, NaN, Infinity]) fit.add(shape, bad);
    expect(fit.model({ perWork: 1e-9, perStep: 1e-6 })).toBeNull();
    for (let i = 0; i < 8; i++) fit.add(shape, 1e6);
    const calibrated = { perWork: 1e-9, perStep: 1e-6 };
    const m = fit.model(calibrated)!;
    expect(m.perWork).toBeLessThanOrEqual(100 * calibrated.perWork);
    expect(m.perStep).toBeLessThanOrEqual(100 * calibrated.perStep);
  });
});
