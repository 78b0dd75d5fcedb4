// A sweep spec checked as a Result: every field, and the memory its largest probe needs on this
// machine. The service's checkSweep, estimateSweep and queueSweep, and the CLI before it creates
// a lab file, all check a spec here. A spec naming a weights or inputs file has the files read
// first (./modelFile/modelSpec.ts): what they fix is filled in, and their summaries come back.
import type { SweepCheck, SweepModelFiles } from '../contract/labApi';
import { ok, type Result } from '../contract/result';
import type { SweepSpec } from '../contract/sweepSpec';
import { checkSweepSpec, validateSweepSpec, type ExpandedProbe } from './sweep/expandSweep';
import { resolveModelSpec } from './modelFile/modelSpec';
import { invalidArgument } from './serviceResult';

/** Where `lab:` refs resolve: the lab file's path (null when there is none yet). */
export type SpecPlace = {
  dbPath: string | null;
  /** What one probe may take (a worker's share of the memory budget); default maxProbeBytes(). */
  maxProbeBytes?: number;
};

const NO_LAB: SpecPlace = { dbPath: null };

function resolved(input: unknown, place: SpecPlace): Result<{ input: unknown; model?: SweepModelFiles }> {
  const r = resolveModelSpec(input, place.dbPath);
  if (!r.ok) return invalidArgument('invalid sweep spec', r.issues);
  return ok({ input: r.input, ...(r.files ? { model: r.files } : {}) });
}

/** The spec with defaults filled in and the probes it expands to, or every issue by field. */
export function expandSweepSpec(
  input: unknown,
  place: SpecPlace = NO_LAB,
): Result<{ spec: SweepSpec; probes: ExpandedProbe[]; model?: SweepModelFiles }> {
  const r = resolved(input, place);
  if (!r.ok) return r;
  const check = checkSweepSpec(r.value.input, place.maxProbeBytes);
  if (!check.ok) return invalidArgument('invalid sweep spec', check.issues);
  return ok({ spec: check.spec, probes: check.probes, ...(r.value.model ? { model: r.value.model } : {}) });
}

/** The spec with defaults filled in and how many probes it has, or every issue by field; nothing is expanded. */
export function validSweepSpec(input: unknown, place: SpecPlace = NO_LAB): Result<SweepCheck> {
  const r = resolved(input, place);
  if (!r.ok) return r;
  const check = validateSweepSpec(r.value.input, place.maxProbeBytes);
  if (!check.ok) return invalidArgument('invalid sweep spec', check.issues);
  return ok({ spec: check.spec, probes: check.probes, ...(r.value.model ? { model: r.value.model } : {}) });
}

export function checkSweep(input: unknown, place: SpecPlace = NO_LAB): Result<SweepCheck> {
  return validSweepSpec(input, place);
}
