// A spec issue as the user reads it: the field named by its label in the app's form ("Wh gain g:
// must be a number in [0, 100]"), not by its path in the spec ("init.whGain must be ..."). The
// form and the CLI both word their messages here, from the one list of labels, SWEEP_FIELD_LABELS.
import type { FieldIssue } from './result';
import { SWEEP_FIELD_LABELS } from './sweepSpec';

export type SweepField = keyof typeof SWEEP_FIELD_LABELS;

/** The bias axis of a sweep of a trained model: an offset added to its trained gate bias. */
export const BIAS_OFFSET_LABEL = 'Forget/update-gate bias offset';

const isField = (key: string): key is SweepField => Object.hasOwn(SWEEP_FIELD_LABELS, key);

/** The labelled field an issue path is about ("T.2" -> T, "init.whGain" -> init.whGain); null for the whole spec. */
export function sweepFieldOf(path: string): SweepField | null {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join('.');
    if (isField(key)) return key;
  }
  return null;
}

/**
 * The schema's messages start with the field's spec name, sometimes with a part of it after a
 * dot ("T.count must be ...", "seed must be ..." for one of the seeds): the name is replaced by
 * the label and the part kept ("Sequence lengths T: count must be ...").
 */
const LEADING_NAME = /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*):?\s+/;

function namesField(name: string, field: SweepField): string | null {
  for (const key of [field, field.split('.')[0]]) {
    if (name === key || (key === 'seeds' && name === 'seed')) return '';
    if (name.startsWith(`${key}.`)) return name.slice(key.length + 1);
  }
  return null;
}

/**
 * The issue's message naming its field by label. `labels` overrides a label where the form shows
 * another (the bias axis of a trained model).
 */
export function labelledMessage(issue: FieldIssue, labels: Partial<Record<SweepField, string>> = {}): string {
  const field = sweepFieldOf(issue.path);
  if (!field) return issue.message;
  const label = labels[field] ?? SWEEP_FIELD_LABELS[field];
  const standard: string = SWEEP_FIELD_LABELS[field];
  if (issue.message.startsWith(standard)) return label + issue.message.slice(standard.length);
  const m = LEADING_NAME.exec(issue.message);
  const part = m ? namesField(m[1], field) : null;
  if (m && part !== null) return `${label}: ${part ? `${part} ` : ''}${issue.message.slice(m[0].length)}`;
  return `${label}: ${issue.message}`;
}
