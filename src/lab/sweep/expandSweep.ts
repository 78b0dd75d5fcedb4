// Sweep spec -> the deterministic, ordered list of probe configs it stands for.
// Order: T (ascending as listed / generated), then arch (as listed), then forget-gate bias
// (LSTM and GRU: the RNN ignores it and is expanded once per (T, seed)), then seed.
import { createHash } from 'node:crypto';
import {
  ProbeConfigError,
  formatBytes,
  probeBytes,
  validateProbeConfig,
  withDefaults,
  type Arch,
  type ProbeConfig,
} from '../../engine/index';
import { SWEEP_FIELD_LABELS, SWEEP_LIMITS, lossStepOf, sweepSpecSchema, type SweepSpec } from '../../contract/sweepSpec';
import type { FieldIssue } from '../../contract/result';
import { rangeLengths, rangeValues } from '../../contract/sweepRange';
import { perWorkerProbeBytes } from './memoryBudget';

export interface ExpandedProbe {
  /** Position in the expansion: stable across runs, shards and merges. */
  idx: number;
  config: ProbeConfig;
  /** null for the RNN. */
  forgetBias: number | null;
}

export type SpecCheck = { ok: true; spec: SweepSpec; probes: ExpandedProbe[] } | { ok: false; issues: FieldIssue[] };
/** A spec checked without expanding it: its probes are counted, not built. */
export type SpecValidation = { ok: true; spec: SweepSpec; probes: number } | { ok: false; issues: FieldIssue[] };

// A range's values are defined in the contract, where the app's form reads them too.
export { rangeValues };

const dedupe = <V>(xs: V[]): V[] => [...new Set(xs)];

export function sweepTs(spec: SweepSpec): number[] {
  return dedupe(Array.isArray(spec.T) ? spec.T : rangeLengths(spec.T));
}

export function sweepBiases(spec: SweepSpec): number[] {
  return dedupe(Array.isArray(spec.forgetBias) ? spec.forgetBias : rangeValues(spec.forgetBias));
}

export function sweepSeeds(spec: SweepSpec): number[] {
  return Array.isArray(spec.seeds) ? dedupe(spec.seeds) : Array.from({ length: spec.seeds.count }, (_, i) => i + 1);
}

/**
 * The archs the forget-bias axis applies to: the LSTM's forget gate and the GRU's update gate z
 * (its keep gate); the RNN has neither and is expanded once per (T, seed).
 */
export const hasForgetBias = (arch: Arch): boolean => arch !== 'rnn';

/** Probes the spec expands to, without building them. */
export function countProbes(spec: SweepSpec): number {
  const perT = spec.archs.reduce((n, a) => n + (hasForgetBias(a) ? sweepBiases(spec).length : 1), 0);
  return sweepTs(spec).length * perT * sweepSeeds(spec).length;
}

export function expandSweep(spec: SweepSpec): ExpandedProbe[] {
  return [...iterateSweep(spec)];
}

/** The same probes in the same order, one at a time (a big sweep is queued in chunks as it expands). */
export function* iterateSweep(spec: SweepSpec): Generator<ExpandedProbe> {
  let idx = 0;
  for (const T of sweepTs(spec)) {
    for (const arch of dedupe(spec.archs)) {
      const biases: (number | null)[] = hasForgetBias(arch) ? sweepBiases(spec) : [null];
      for (const bias of biases) {
        for (const seed of sweepSeeds(spec)) {
          const config = withDefaults({
            arch,
            T,
            N: spec.N,
            D: spec.D,
            H: spec.H,
            seed,
            rng: spec.rng,
            init: spec.init.scheme,
            forgetBias: bias ?? 0,
            whGain: spec.init.whGain,
            h0Scale: spec.init.h0Scale,
            bScale: spec.init.bScale,
            lossStep: lossStepOf(spec.lossStep, T),
          });
          yield { idx: idx++, config, forgetBias: bias };
        }
      }
    }
  }
}

/** The most one probe may allocate here when it runs alone (see ../memoryBudget.ts). */
export function maxProbeBytes(): number {
  return perWorkerProbeBytes(1);
}

function zodPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Validates a spec and expands it; every problem is listed with its field path. */
export function checkSweepSpec(input: unknown, maxBytes = maxProbeBytes()): SpecCheck {
  const v = validateSweepSpec(input, maxBytes);
  return v.ok ? { ok: true, spec: v.spec, probes: expandSweep(v.spec) } : v;
}

/** Everything checkSweepSpec checks, without building the probes (cheap for 100,000 of them). */
export function validateSweepSpec(input: unknown, maxBytes = maxProbeBytes()): SpecValidation {
  const parsed = sweepSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issues = flattenIssues(parsed.error.issues as ZodIssueLike[], []).map((i) => ({
      path: zodPath(i.path) || '(spec)',
      message: withValue(i.message, input, i.path),
    }));
    return { ok: false, issues: dedupeIssues(issues) };
  }
  const spec = parsed.data;
  const issues: FieldIssue[] = [];
  const n = countProbes(spec);
  if (n > SWEEP_LIMITS.probes.max) {
    issues.push({
      path: '(spec)',
      message: `the sweep expands to ${n} probes, more than the ${SWEEP_LIMITS.probes.max} allowed; narrow T, forgetBias, seeds or archs`,
    });
    return { ok: false, issues };
  }
  const minT = Math.min(...sweepTs(spec));
  if (typeof spec.lossStep === 'number' && spec.lossStep > minT) {
    issues.push({
      path: 'lossStep',
      message: `${SWEEP_FIELD_LABELS.lossStep}: step ${spec.lossStep} is past the end of the shortest sequence (T = ${minT}); use a step in [1, ${minT}], "last", or a fraction of T`,
    });
    return { ok: false, issues };
  }
  // Memory grows with T: checking the longest probe of each arch covers the others.
  const maxT = Math.max(...sweepTs(spec));
  for (const arch of spec.archs) {
    const config = withDefaults({ arch, T: maxT, N: spec.N, D: spec.D, H: spec.H, seed: 1, init: spec.init.scheme });
    try {
      validateProbeConfig(config, maxBytes);
    } catch (err) {
      if (!(err instanceof ProbeConfigError)) throw err;
      const path = err.field === 'memory' ? 'H' : String(err.field);
      const message =
        err.field === 'memory'
          ? `${arch} probe with T=${maxT}, N=${spec.N}, D=${spec.D}, H=${spec.H} needs ${formatBytes(probeBytes(config))}, more than the ${formatBytes(maxBytes)} one probe may use here; reduce H (or T, N, D)`
          : err.message;
      if (!issues.some((i) => i.message === message)) issues.push({ path, message });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, spec, probes: n };
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: ZodIssueLike[][];
}

/**
 * zod reports a failed union (T: list | range) as one "Invalid input"; pick the branch whose
 * type matched the input (its issues are about values, not about the shape) and report those.
 */
function flattenIssues(issues: ZodIssueLike[], prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || !issue.errors) {
      out.push({ path, message: issue.message });
      continue;
    }
    const branch = issue.errors.find((errs) => !errs.some((e) => e.code === 'invalid_type' && e.path.length === 0));
    if (branch) {
      out.push(...flattenIssues(branch, path));
    } else {
      const field = zodPath(path);
      const seeds = field === 'seeds';
      out.push({
        path,
        message: seeds
          ? 'seeds must be a list of integers or { "count": n }'
          : `${field} must be a list of numbers or a range { "from", "to", "count", "scale": "linear" | "log" }`,
      });
    }
  }
  return out;
}

/** The message plus the offending value, when there is one to show. */
function withValue(message: string, input: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return message;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  if (v === undefined || typeof v === 'object') return message;
  return `${message}; got ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`;
}

function dedupeIssues(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Identity of a spec: the sha256 of its canonical JSON (zod output keeps the schema's key order). */
export function specHash(spec: SweepSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}
