// The sweep a cluster submission runs: the spec checked once, as `seqlab sweep` checks it (the
// service's checkSweep), before any file is written or any job submitted.
import type { Result } from '../contract/result';
import type { SweepSpec } from '../contract/sweepSpec';
import { checkSweep } from '../lab/sweepCheck';

export interface CheckedSpec {
  /** The document as given: written beside the part files for the shards to run. */
  input: unknown;
  /** Defaults filled in: what identifies the sweep. */
  spec: SweepSpec;
  probes: number;
}

export function checkClusterSpec(input: unknown): Result<CheckedSpec> {
  const r = checkSweep(input);
  return r.ok ? { ok: true, value: { input, spec: r.value.spec, probes: r.value.probes } } : r;
}

/** Two checked specs are the same sweep when their filled-in documents are. */
export const sameSweep = (a: SweepSpec, b: SweepSpec): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A sweep name as job names take it: lowercase letters, digits and dashes, at most 30. */
export function sweepSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  return slug || 'sweep';
}
