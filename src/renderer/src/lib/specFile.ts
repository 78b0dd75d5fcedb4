// A sweep spec file (the JSON the CLI takes) dropped onto the window: its spec, or what is wrong
// with it, worded as the form words it.
import { JsonDocumentError, parseJsonDocument } from '../../../contract/jsonDocument';
import { labelledMessage } from '../../../contract/labelledIssue';
import { sweepSpecSchema, type SweepSpec } from '../../../contract/sweepSpec';

export type SpecFileResult = { ok: true; spec: SweepSpec } | { ok: false; message: string };

export function specFromFile(fileName: string, bytes: Uint8Array): SpecFileResult {
  let value: unknown;
  try {
    value = parseJsonDocument(bytes);
  } catch (err) {
    if (err instanceof JsonDocumentError) return { ok: false, message: `${fileName} ${err.message}` };
    throw err;
  }
  if (value === undefined) return { ok: false, message: `${fileName} is empty` };
  const parsed = sweepSpecSchema.safeParse(value);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const issues = parsed.error.issues.map((i) => labelledMessage({ path: i.path.join('.'), message: i.message }));
  return { ok: false, message: `${fileName} is not a sweep spec: ${[...new Set(issues)].join('; ')}` };
}
