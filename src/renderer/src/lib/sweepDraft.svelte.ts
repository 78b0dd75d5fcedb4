// A spec handed to the New sweep form from elsewhere (the Queue's "Duplicate and edit"): set by
// openInForm, taken once by the form when it mounts, so that a later visit starts afresh.
import type { SweepSpec } from '../../../contract/sweepSpec';

export interface SweepDraft {
  spec: SweepSpec | null;
  /** Shown above the form ("Copied from sweep #3"), or null. */
  note: string | null;
}

export const sweepDraft = $state<SweepDraft>({ spec: null, note: null });

/** Puts a copy of the spec in the draft for the form to fill itself in from. */
export function openInForm(spec: SweepSpec, note?: string): void {
  sweepDraft.spec = structuredClone<SweepSpec>($state.snapshot(spec));
  sweepDraft.note = note ?? null;
}

/** The draft, once: it is cleared as it is taken. */
export function takeDraft(): { spec: SweepSpec; note: string | null } | null {
  if (sweepDraft.spec === null) return null;
  const taken = { spec: sweepDraft.spec, note: sweepDraft.note };
  sweepDraft.spec = null;
  sweepDraft.note = null;
  return taken;
}
