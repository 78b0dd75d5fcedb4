// What getSweep and loadCurves answer, read from a lab's store: the one implementation behind
// the full service (src/lab/labService.ts) and a read-only lab (src/lab/readOnlyLab.ts).
import type { CurveSet, NormName, SweepDetail, SweepModelFiles, SweepSummary } from '../contract/labApi';
import { curveQuerySchema } from '../contract/labArgs';
import { fail, ok, type Result } from '../contract/result';
import { computedNorms, type SweepSpec } from '../contract/sweepSpec';
import type { LabStore } from './store/labStore';
import { toProbeSummary } from './store/readSummaries';
import { readSweepModelFiles } from './store/sweepModelFiles';
import { decodeLog10 } from './store/resultBlob';
import { invalid } from './serviceResult';

/** A sweep that exists (the caller has checked), with the summary its caller keeps. */
export function readSweepDetail(store: LabStore, sweepId: number, summary: SweepSummary): SweepDetail {
  const row = store.getSweep(sweepId)!;
  return {
    summary,
    spec: JSON.parse(row.spec_json) as SweepSpec,
    probes: store.listProbes(sweepId).map(toProbeSummary),
    sizeBytes: store.sweepBytes(sweepId),
    ...withModelFiles(readSweepModelFiles(store.db, sweepId)),
  };
}

const withModelFiles = (model: SweepModelFiles | null): { model?: SweepModelFiles } => (model ? { model } : {});

/** One norm's curve for each finished probe of a sweep (of one T if asked). */
export function readCurveSet(store: LabStore, query: unknown): Result<CurveSet> {
  const parsed = curveQuerySchema.safeParse(query);
  if (!parsed.success) return invalid('invalid curve query', parsed.error);
  const q = parsed.data;
  const sweep = store.getSweep(q.sweepId);
  if (!sweep) return fail('not-found', `no sweep ${q.sweepId}`);
  const computed = computedNorms(JSON.parse(sweep.spec_json) as SweepSpec);
  if (!computed.includes(q.norm as NormName)) {
    const message = `sweep ${q.sweepId} did not compute ${q.norm}: its norms are ${computed.join(', ')}`;
    return fail('invalid-argument', message, [{ path: 'norm', message }]);
  }
  const curves = store.curveRows(q.sweepId, q.norm as CurveSet['norm'], q.T).map((p) => {
    const values = decodeLog10(p.blob);
    const log10 = new Array<number | null>(values.length);
    for (let i = 0; i < values.length; i++) log10[i] = values[i] === -Infinity ? null : values[i];
    return {
      probeId: p.id,
      arch: p.arch,
      T: p.T,
      forgetBias: p.forget_bias,
      seed: p.seed,
      lossStep: p.loss_step,
      log10,
      theory: {
        whGain: p.wh_gain,
        whSpectralNorm: p.wh_spectral_norm ?? NaN,
        meanSlope: p.mean_slope ?? NaN,
        lyapunovTop: p.lyapunov_top ?? null,
        meanField: p.mean_field ?? null,
        cellPath: p.cell_path ?? null,
        pmbBound: p.pmb_bound ?? null,
      },
    };
  });
  return ok({ sweepId: q.sweepId, norm: q.norm as CurveSet['norm'], curves });
}
