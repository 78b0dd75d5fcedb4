// A sweep's full spec as short labelled lines (the Queue's and the charts' spec panel), each
// field named as the New sweep form labels it, and the JSON `seqlab sweep` takes.
import type { SweepModelFiles } from '../../../contract/labApi';
import { BIAS_OFFSET_LABEL } from '../../../contract/labelledIssue';
import { SWEEP_FIELD_LABELS, type SweepSpec } from '../../../contract/sweepSpec';

export interface SpecLine {
  label: string;
  value: string;
  /** A file's SHA-256 (a model or inputs file the sweep was queued with), shown short under its name. */
  sha256?: string;
}

/** Enough of a SHA-256 to tell files apart at a glance (the panel shows the full hash on hover). */
const SHORT_HASH = 12;
export const shortHash = (sha256: string): string => `${sha256.slice(0, SHORT_HASH)}…`;

type Range = { from: number; to: number; count: number; scale?: string };

const list = (v: readonly (number | string)[] | Range | { count: number }): string => {
  if (Array.isArray(v)) return v.join(', ');
  const r = v as Range | { count: number };
  if ('from' in r) return `${r.from} … ${r.to}, ${r.count} ${r.scale === 'log' ? 'log-spaced' : 'evenly spaced'}`;
  return `1 … ${r.count}`;
};

function lossStepText(lossStep: SweepSpec['lossStep']): string {
  if (lossStep === 'last') return 'last step (T)';
  if (typeof lossStep === 'number') return `step ${lossStep}`;
  return `${lossStep.fraction} × T`;
}

/**
 * `files`: what the sweep was queued with (SweepDetail.model), so a trained model is named by its
 * file and hash rather than by its ref.
 */
export function specLines(spec: SweepSpec, files?: SweepModelFiles): SpecLine[] {
  const L = SWEEP_FIELD_LABELS as Record<string, string>;
  const trained = spec.weights !== undefined;
  const lines: SpecLine[] = [
    { label: L.archs ?? 'Architectures', value: spec.archs.join(', ') },
    { label: L.T ?? 'T', value: list(spec.T) },
    // With a model file the bias axis is an offset added to its trained gate bias (as the form says).
    { label: trained ? BIAS_OFFSET_LABEL : (L.forgetBias ?? 'Forget-gate biases'), value: list(spec.forgetBias) },
    { label: L.seeds ?? 'Seeds', value: list(spec.seeds) },
    { label: 'N, D, H', value: `${spec.N}, ${spec.D}, ${spec.H}` },
    {
      label: 'Init',
      // The file gives the weights: of the init, only the h0 scale applies.
      value: trained
        ? `trained weights, h0 scale ${spec.init.h0Scale}`
        : `${spec.init.scheme}, g = ${spec.init.whGain}, h0 scale ${spec.init.h0Scale}, b scale ${spec.init.bScale}`,
    },
    { label: L.lossStep ?? 'Loss step', value: lossStepText(spec.lossStep) },
  ];
  if (spec.norms) lines.push({ label: L.norms ?? 'Norms', value: spec.norms.join(', ') });
  if (spec.lyapunovVectors) lines.push({ label: L.lyapunovVectors ?? 'Lyapunov vectors', value: String(spec.lyapunovVectors) });
  const fileLines = (label: string, ref: string | undefined, file: { fileName: string; sha256: string } | undefined) => {
    if (ref === undefined) return;
    lines.push(file ? { label, value: file.fileName, sha256: file.sha256 } : { label, value: ref });
  };
  fileLines(L.weights ?? 'Model', spec.weights, files?.weights);
  fileLines(L.inputs ?? 'Input sequences', spec.inputs, files?.inputs);
  return lines;
}

/** The spec as the file `seqlab sweep spec.json` reads, indented for people. */
export function specJson(spec: SweepSpec): string {
  return JSON.stringify(spec, null, 2) + '\n';
}

/** A file name for it: the sweep's name made safe for any file system. */
export function specFileName(spec: SweepSpec, sweepId?: number): string {
  const stem = spec.name
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${sweepId === undefined ? '' : `sweep-${sweepId}-`}${stem || 'sweep'}.spec.json`;
}
