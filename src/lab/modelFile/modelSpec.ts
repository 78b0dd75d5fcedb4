// A sweep spec that names a weights or inputs file, made explicit before it is checked: the files
// are read, and what they fix is filled in (archs, D and H from the weights; T, N and D from the
// inputs) or, where the spec says otherwise, refused naming the field and both values. The stored
// spec is then complete (every probe rebuilds from it and the files), and the files' summaries
// (name, shape, SHA-256) are stored beside it.
import type { FieldIssue } from '../../contract/result';
import type { SweepModelFiles } from '../../contract/labApi';
import { namesModelFiles } from '../../contract/modelFiles';
import { SWEEP_FIELD_LABELS, type SweepSpec } from '../../contract/sweepSpec';
import type { GivenModel } from '../../engine/index';
import { TensorFileError } from './importedModel';
import { readInputsFile, readWeights, type InputsFile, type ModelFile } from './modelFiles';

export type ResolvedSpec = { ok: true; input: unknown; files: SweepModelFiles | null } | { ok: false; issues: FieldIssue[] };

const isLayer = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1000;
const shape = (f: InputsFile): string => `(N, T, D) = (${f.info.N}, ${f.info.T}, ${f.info.D})`;

export function resolveModelSpec(input: unknown, dbPath: string | null): ResolvedSpec {
  if (!namesModelFiles(input)) return { ok: true, input, files: null };
  const spec = { ...(input as Record<string, unknown>) };
  const issues: FieldIssue[] = [];
  const refuse = (path: string, message: string): void => void issues.push({ path, message });
  // Wrong types are the schema's to report, after this.
  let weights: ModelFile | undefined;
  let inputs: InputsFile | undefined;
  if (typeof spec.weights === 'string' && spec.weights !== '') {
    const layer = spec.layer === undefined ? 0 : spec.layer;
    if (isLayer(layer)) {
      try {
        weights = readWeights(spec.weights, layer, dbPath);
      } catch (err) {
        if (!(err instanceof TensorFileError)) throw err;
        refuse('weights', err.message);
      }
    }
  } else if (spec.layer !== undefined) {
    refuse('layer', 'layer is only for a weights file (which of its layers to probe)');
  }
  if (typeof spec.inputs === 'string' && spec.inputs !== '') {
    try {
      inputs = readInputsFile(spec.inputs, dbPath);
    } catch (err) {
      if (!(err instanceof TensorFileError)) throw err;
      refuse('inputs', err.message);
    }
  }
  if (weights) {
    const w = weights.info;
    const held = `the weights file ${w.fileName} holds an nn.${w.arch.toUpperCase()} layer (layer ${w.layer})`;
    if (spec.archs === undefined) spec.archs = [w.arch];
    else if (!Array.isArray(spec.archs) || spec.archs.length !== 1 || spec.archs[0] !== w.arch)
      refuse('archs', `${held}; ${SWEEP_FIELD_LABELS.archs} may list only "${w.arch}", got ${JSON.stringify(spec.archs)}`);
    const sizes = [
      ['D', w.D, `its input size (weight_ih_l${w.layer} is [${gates(w.arch)}, ${w.D}])`],
      ['H', w.H, `its hidden size (weight_hh_l${w.layer} is [${gates(w.arch)}, ${w.H}])`],
    ] as const;
    for (const [field, value, what] of sizes) {
      if (spec[field] === undefined) spec[field] = value;
      else if (spec[field] !== value)
        refuse(
          field,
          `${field} = ${String(spec[field])} disagrees with the weights file ${w.fileName}: ${what} is ${value}; leave ${field} out or give ${value}`,
        );
    }
  }
  if (inputs) {
    const x = inputs.info;
    if (spec.T !== undefined)
      refuse(
        'T',
        `the inputs file ${x.fileName} fixes T = ${x.T} (its shape ${shape(inputs)}); leave ${SWEEP_FIELD_LABELS.T} out`,
      );
    else spec.T = [x.T];
    if (weights && weights.info.D !== x.D)
      refuse(
        'inputs',
        `${x.fileName} has D = ${x.D} (its shape ${shape(inputs)}), but the weights file ${weights.info.fileName} has input size D = ${weights.info.D}`,
      );
    for (const [field, value] of [
      ['N', x.N],
      ['D', x.D],
    ] as const) {
      if (spec[field] === undefined) spec[field] = value;
      else if (spec[field] !== value && !(field === 'D' && weights))
        refuse(
          field,
          `${field} = ${String(spec[field])} disagrees with the inputs file ${x.fileName}: its shape ${shape(inputs)} gives ${field} = ${value}; leave ${field} out or give ${value}`,
        );
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const files: SweepModelFiles = { ...(weights ? { weights: weights.info } : {}), ...(inputs ? { inputs: inputs.info } : {}) };
  return { ok: true, input: spec, files: Object.keys(files).length > 0 ? files : null };
}

const gates = (arch: string): string => (arch === 'lstm' ? '4H' : arch === 'gru' ? '3H' : 'H');

/**
 * What a sweep's probes are given (the weights in the engine's layout, the sequences), read from
 * its files and checked against the summaries stored when it was queued: a file that changed
 * since then is refused, naming it and both hashes.
 */
export function loadSweepModel(spec: SweepSpec, stored: SweepModelFiles | null, dbPath: string | null): GivenModel | undefined {
  if (!spec.weights && !spec.inputs) return undefined;
  const given: GivenModel = {};
  if (spec.weights) {
    const w = readWeights(spec.weights, spec.layer ?? 0, dbPath);
    refuseChanged('weights', w.info, stored?.weights);
    given.weights = w.weights;
  }
  if (spec.inputs) {
    const x = readInputsFile(spec.inputs, dbPath);
    refuseChanged('inputs', x.info, stored?.inputs);
    given.x = x.x;
  }
  return given;
}

/**
 * A file of a sweep being resumed whose hash is not the one stored with it, as an issue naming
 * the field (null: none changed). Its curves would no longer be of the model it was queued with.
 */
export function changedModelFiles(then: SweepModelFiles | null, now: SweepModelFiles | undefined): FieldIssue | null {
  for (const field of ['weights', 'inputs'] as const) {
    const a = then?.[field];
    const b = now?.[field];
    if (a && b && a.sha256 !== b.sha256) return { path: field, message: changedMessage(field, b.fileName, a.sha256, b.sha256) };
  }
  return null;
}

const changedMessage = (field: string, fileName: string, then: string, now: string): string =>
  `${field}: ${fileName} changed since the sweep was queued (SHA-256 ${then.slice(0, 12)}… then, ${now.slice(0, 12)}… now); restore the file or queue a new sweep`;

/** A changed file: the sweep's curves would no longer be of the model it was queued with. */
export function refuseChanged(
  field: 'weights' | 'inputs',
  now: { fileName: string; sha256: string },
  then?: { sha256: string },
): void {
  if (then && then.sha256 !== now.sha256) throw new TensorFileError(changedMessage(field, now.fileName, then.sha256, now.sha256));
}
