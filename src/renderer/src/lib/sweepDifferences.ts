// What tells compared sweeps apart: the spec fields whose values differ between them, and a
// short label per sweep made of those fields' values ("H=128, g=1.5"). The series-level axes
// (architecture, T, forget bias) are left out: each curve's label says them on its own. Fields
// that do not change the measured curves (the name, the norms computed, the Lyapunov vectors)
// are left out too. Pure.
import type { SweepSpec } from '../../../contract/sweepSpec';
import { formatNum } from './format';

export interface ComparedSweep {
  id: number;
  name: string;
  spec: SweepSpec;
}

/** Spec paths (dotted) never used to tell sweeps apart. */
const NOT_DISTINGUISHING = new Set(['name', 'archs', 'T', 'forgetBias', 'norms', 'lyapunovVectors']);

/** The file name of an imported model's ref (from the lab's model list), else the ref's last path part. */
export type ModelName = (ref: string) => string;
export const refBaseName: ModelName = (ref) => ref.split(/[\\/:]/).pop() || ref;

/** A value as a label shows it. */
export function compactValue(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number') return formatNum(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(compactValue).join(',');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k} ${compactValue(x)}`)
      .join(' ');
  }
  return String(v);
}

function seedsLabel(v: unknown): string {
  if (Array.isArray(v)) return `seeds ${v.map(compactValue).join(',')}`;
  if (v && typeof v === 'object' && 'count' in v) return `${compactValue(v.count)} seeds`;
  return `seeds ${compactValue(v)}`;
}

/** How the known fields read in a label (in this order); any other field reads "path=value". */
function knownFields(modelName: ModelName): [path: string, label: (v: unknown) => string][] {
  return [
    ['weights', (v) => (typeof v === 'string' && v !== '' ? `trained (${modelName(v)})` : 'at init')],
    ['inputs', (v) => (typeof v === 'string' && v !== '' ? `inputs ${refBaseName(v)}` : 'Gaussian inputs')],
    ['H', (v) => `H=${compactValue(v)}`],
    ['D', (v) => `D=${compactValue(v)}`],
    ['N', (v) => `N=${compactValue(v)}`],
    ['init.scheme', (v) => `${compactValue(v)} init`],
    ['init.whGain', (v) => `g=${compactValue(v)}`],
    ['init.h0Scale', (v) => `h0 scale=${compactValue(v)}`],
    ['init.bScale', (v) => `b scale=${compactValue(v)}`],
    ['seeds', seedsLabel],
    ['lossStep', (v) => `loss step ${compactValue(v)}`],
    ['rng', (v) => `rng ${compactValue(v)}`],
  ];
}

/** The spec as dotted paths to leaf values; lists and small objects other than `init` are leaves. */
export function flattenSpec(spec: SweepSpec): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'init' && v && typeof v === 'object') {
      for (const [ik, iv] of Object.entries(v as Record<string, unknown>)) out.set(`init.${ik}`, iv);
    } else out.set(k, v);
  }
  return out;
}

/** The spec paths whose values are not the same in every sweep (absent counts as a value), in label order. */
export function differingFields(sweeps: readonly ComparedSweep[]): string[] {
  if (sweeps.length < 2) return [];
  const flat = sweeps.map((s) => flattenSpec(s.spec));
  const paths = new Set<string>();
  for (const f of flat) for (const p of f.keys()) if (!NOT_DISTINGUISHING.has(p)) paths.add(p);
  const differing = [...paths].filter((p) => new Set(flat.map((f) => JSON.stringify(f.get(p) ?? null))).size > 1);
  const order = knownFields(refBaseName).map(([p]) => p);
  const rank = (p: string): number => (order.includes(p) ? order.indexOf(p) : order.length);
  return differing.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A label per sweep id from the fields that differ. Sweeps whose specs agree on all of them (or a
 * single sweep) are told apart by "#id name".
 */
export function sweepLabels(sweeps: readonly ComparedSweep[], modelName: ModelName = refBaseName): Map<number, string> {
  const fields = differingFields(sweeps);
  const known = new Map(knownFields(modelName));
  const labels = new Map<number, string>();
  for (const s of sweeps) {
    const flat = flattenSpec(s.spec);
    const parts = fields.map((p) => (known.get(p) ?? ((v: unknown) => `${p}=${compactValue(v)}`))(flat.get(p)));
    labels.set(s.id, parts.join(', '));
  }
  const texts = [...labels.values()];
  if (fields.length === 0 || new Set(texts).size < texts.length) {
    for (const s of sweeps) {
      const own = labels.get(s.id);
      labels.set(s.id, own ? `${own} (#${s.id} ${s.name})` : `#${s.id} ${s.name}`);
    }
  }
  return labels;
}

/** Whether a sweep's probes run on imported weights (its forget-bias axis is then an offset). */
export function hasImportedWeights(spec: SweepSpec): boolean {
  const w = (spec as { weights?: unknown }).weights;
  return typeof w === 'string' && w !== '';
}

/** A sweep's configuration in one line, for a figure's footer: "#3 name: rnn, lstm; T 16, 64; …". */
export function specBrief(id: number, name: string, spec: SweepSpec, modelName: ModelName = refBaseName): string {
  const range = (v: unknown): string => {
    if (Array.isArray(v)) return v.map(compactValue).join(', ');
    if (v && typeof v === 'object' && 'from' in v) {
      const r = v as { from: number; to: number; count: number };
      return `${formatNum(r.from)}…${formatNum(r.to)} (${r.count})`;
    }
    return compactValue(v);
  };
  const weights = (spec as { weights?: string }).weights;
  const parts = [
    spec.archs.join(', '),
    `T ${range(spec.T)}`,
    `${weights ? 'bias offsets' : 'biases'} ${range(spec.forgetBias)}`,
    seedsLabel(spec.seeds),
    `N=${spec.N} D=${spec.D} H=${spec.H}`,
    weights ? `trained (${modelName(weights)})` : `${spec.init.scheme} init g=${formatNum(spec.init.whGain)}`,
  ];
  return `#${id} ${name}: ${parts.join('; ')}`;
}
