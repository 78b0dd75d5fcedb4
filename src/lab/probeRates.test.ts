// The rates the read-only service reports for a sweep run by real workers, against the engine run
// in this process on the same configurations.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProbe, withDefaults, type Arch } from '../engine/index';
import { summarizeCurve } from '../contract/decaySummary';
import { NORM_NAMES } from '../contract/labApi';
import { tempDir } from './testing/labTestSupport';
import { openLabService } from './labService';
import { openLabReader } from './labReader';

const stepCurve = (a: Float64Array) => ({ lossStep: a.length - 1, log10: Array.from(a, (v) => (v === -Infinity ? null : v)) });

describe('probe rates through the read-only service', () => {
  it("are the engine's: the curves' fits and horizons, the Lyapunov exponents and the theory rates", async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const service = await openLabService({ dbPath, workers: 1 });
    try {
      const queued = await service.queueSweep({
        name: 'rates',
        archs: ['rnn', 'lstm'],
        T: [40],
        forgetBias: [1],
        seeds: { count: 2 },
        N: 2,
        D: 2,
        H: 4,
        lyapunovVectors: 4,
      });
      if (!queued.ok) throw new Error(queued.error.message);
      await service.waitForSweep(queued.value.id);
    } finally {
      await service.close();
    }
    const reader = openLabReader({ dbPath });
    const read = await reader.loadProbeRates({});
    reader.close();
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value).toHaveLength(4);
    for (const row of read.value) {
      const config = withDefaults({
        arch: row.arch as Arch,
        T: row.T,
        N: row.N,
        D: row.D,
        H: row.H,
        seed: row.seed,
        init: row.init as 'scaled',
        forgetBias: row.forget_bias ?? 0,
        whGain: row.wh_gain,
        h0Scale: row.h0_scale,
        bScale: row.b_scale,
        lossStep: row.loss_step,
      });
      const direct = runProbe(config, { lyapunov: {} });
      const norms = direct.lossStepNorms;
      const computed = NORM_NAMES.filter((n) => norms[n] !== undefined);
      expect(Object.keys(row.rate).sort()).toEqual([...computed].sort());
      for (const n of computed) {
        const curve = norms[n];
        if (!curve) throw new Error(`no ${n}`);
        const s = summarizeCurve(stepCurve(curve));
        expect(row.rate[n]).toBeCloseTo(s.full.rate!, 10);
        expect(row.rate_tail[n]).toBeCloseTo(s.tail.rate!, 10);
        expect(row.horizon[n]).toBe(s.horizon);
      }
      expect(row.lyapunov!.top).toBeCloseTo(direct.lyapunov!.top!, 10);
      expect(row.lyapunov!.spectrum).toHaveLength(4);
      direct.lyapunov!.spectrum.forEach((v, i) => expect(row.lyapunov!.spectrum[i]).toBeCloseTo(v, 10));
      const rates = direct.theory.rates;
      if (row.arch === 'rnn') {
        expect(row.theory.mean_field).toBeCloseTo(rates.meanField!, 10);
        expect(row.theory.pmb_bound).toBeCloseTo(rates.pmbBound!, 10);
        expect(row.theory.cell_path).toBeNull();
      } else {
        expect(row.theory.cell_path).toBeCloseTo(rates.cellPath!, 10);
        expect(row.theory.mean_field).toBeNull();
        expect(row.theory.pmb_bound).toBeNull();
      }
    }
  });
});
