import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults } from './index';
import { loadReferenceCases, relativeError } from './testing/referenceData';

const QUANTITIES = ['dh', 'dWx', 'dWh', 'db', 'dc'] as const;

function inputsSha256(inputs: ReturnType<typeof buildInputs>): string {
  const h = createHash('sha256');
  for (const a of [inputs.x, inputs.h0, inputs.Wx, inputs.Wh, inputs.b, inputs.dout]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)); // little-endian on every supported CPU
  }
  return h.digest('hex');
}

describe('the engine against the independent float64 references (reference/cases.json)', () => {
  for (const c of loadReferenceCases()) {
    const config = withDefaults({
      arch: c.arch,
      T: c.T,
      N: c.N,
      D: c.D,
      H: c.H,
      seed: c.seed,
      init: 'article',
      forgetBias: c.bf ?? 0,
    });
    const tol = c.suggested_rel_tol;

    it(`${c.name}: draws the same inputs (sha256 of x, h0, Wx, Wh, b, dout)`, () => {
      const inputs = buildInputs(config);
      if (c.inputs_head) {
        for (const [name, head] of Object.entries(c.inputs_head)) {
          expect(Array.from(inputs[name as keyof typeof inputs].subarray(0, 3))).toEqual(head);
        }
      }
      expect(inputsSha256(inputs)).toBe(c.inputs_sha256);
    });

    it(`${c.name}: forward, per-step norms and full gradients within ${tol} relative`, () => {
      const r = runProbe(config, { fullGradients: true });
      const e = c.expected;
      expect(relativeError(r.forward.loss!, e.forward.loss)).toBeLessThan(tol);
      expect(relativeError(r.forward.hFro, e.forward.h_fro)).toBeLessThan(tol);
      e.forward.h_last.forEach((v, i) => expect(relativeError(r.forward.hLast[i], v)).toBeLessThan(tol));
      for (const [name, v] of Object.entries(e.full_grad_norms)) {
        expect(relativeError(r.fullGradNorms![name as keyof typeof e.full_grad_norms], v), name).toBeLessThan(tol);
      }
      expect(e.last_loss.t).toBe(r.config.lossStep);
      for (const q of QUANTITIES) {
        const expected = e.last_loss[q];
        if (!expected) {
          expect(r.lossStepNorms[q], q).toBeUndefined();
          continue;
        }
        const got = r.lossStepNorms[q]!;
        expect(got.length).toBe(expected.length);
        const logs = e.last_loss.log10?.[q];
        for (let k = 0; k < expected.length; k++) {
          if (logs) {
            // Relative error of the value from the error of its logarithm.
            expect(Math.abs(got[k] - logs[k]) * Math.LN10, `${q}[${k}]`).toBeLessThan(tol);
          } else {
            expect(relativeError(10 ** got[k], expected[k]), `${q}[${k}]`).toBeLessThan(tol);
          }
        }
      }
    });
  }
});
