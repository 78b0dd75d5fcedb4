// Vitest global setup: rebuilds out/ (shipped) and out-test/ (with the test hooks) when missing
// or older than any source file, so forked workers and CLIs run current code (scripts/test/builds.ts).
import { buildBothIfStale } from './builds';

export default function setup(): void {
  // For iterating on pure-engine tests while other parts of src/ are mid-edit.
  if (process.env.SEQLAB_SKIP_BUILD === '1') return;
  buildBothIfStale();
}
