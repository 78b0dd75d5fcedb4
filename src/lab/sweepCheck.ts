// A sweep spec checked as a Result: every field, and the memory its largest probe needs on this
// machine. The service's checkSweep, estimateSweep and queueSweep, and the CLI before it creates
// a lab file, all check a spec here.
import type { SweepCheck } from '../contract/labApi';
import { ok, type Result } from '../contract/result';
import type { SweepSpec } from '../contract/sweepSpec';
import { checkSweepSpec, validateSweepSpec, type ExpandedProbe } from './sweep/expandSweep';
import { invalidArgument } from './serviceResult';

/** The spec with defaults filled in and the probes it expands to, or every issue by field. */
export function expandSweepSpec(input: unknown): Result<{ spec: SweepSpec; probes: ExpandedProbe[] }> {
  const check = checkSweepSpec(input);
  if (!check.ok) return invalidArgument('invalid sweep spec', check.issues);
  return ok({ spec: check.spec, probes: check.probes });
}

/** The spec with defaults filled in and how many probes it has, or every issue by field; nothing is expanded. */
export function validSweepSpec(input: unknown): Result<SweepCheck> {
  const check = validateSweepSpec(input);
  if (!check.ok) return invalidArgument('invalid sweep spec', check.issues);
  return ok({ spec: check.spec, probes: check.probes });
}

export function checkSweep(input: unknown): Result<SweepCheck> {
  return validSweepSpec(input);
}
