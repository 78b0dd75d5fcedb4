// The trained layers a lab can probe, and where each lives: imported files beside the lab file
// in `<lab file>.models/<sha256>.<ext>` (ref `lab:<sha256>.<ext>`), the shipped examples in the
// package's examples/ folder (ref `example:<file>`), or any path (absolute, or relative to the
// working directory). A file is described by what it holds (the arch is read from the shapes)
// and its SHA-256, which a sweep stores so that a changed file is refused later.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Arch, InputsFileInfo, ModelFileInfo } from '../../contract/labApi';
import { MODEL_FILE_EXTENSIONS, MODEL_FILE_MAX_BYTES } from '../../contract/modelFiles';
import type { ImportedWeights } from '../../engine/index';
import { findPackageRoot } from '../store/packageRoot';
import { TensorFileError, importWeights } from './importedModel';
import { parseNpy, parseNpz, parseSafetensors, shapeText, type Tensor } from './tensorFormats';

export const LAB_REF = 'lab:';
export const EXAMPLE_REF = 'example:';

/** The folder beside a lab file that holds the model files imported into it. */
export const labModelsDir = (dbPath: string): string => `${dbPath}.models`;
export const examplesDir = (): string => join(findPackageRoot(), 'examples');

const MiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`;

/** Where a ref's file is, the name to show for it, and whether it is a shipped example. */
export function locateRef(ref: string, dbPath: string | null): { path: string; fileName: string; example: boolean } {
  if (ref.startsWith(LAB_REF)) {
    const stored = ref.slice(LAB_REF.length);
    if (!/^[0-9a-f]{64}\.(safetensors|npz|npy)$/.test(stored))
      throw new TensorFileError(`${ref}: a lab ref is lab:<sha256>.<extension>, as importModel returns it`);
    if (!dbPath) throw new TensorFileError(`${ref}: a lab ref needs the lab file it was imported into`);
    const path = join(labModelsDir(dbPath), stored);
    return { path, fileName: importedName(path) ?? stored, example: false };
  }
  if (ref.startsWith(EXAMPLE_REF)) {
    const name = ref.slice(EXAMPLE_REF.length);
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.'))
      throw new TensorFileError(`${ref}: an example ref is example:<file name in examples/>`);
    return { path: join(examplesDir(), name), fileName: name, example: true };
  }
  return { path: resolve(ref), fileName: basename(ref), example: false };
}

/** The name a file was imported under (kept beside it), if known. */
function importedName(path: string): string | undefined {
  try {
    const meta = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { fileName?: unknown };
    return typeof meta.fileName === 'string' ? meta.fileName : undefined;
  } catch {
    return undefined;
  }
}

function readBytes(path: string, fileName: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TensorFileError(`${fileName}: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}`);
  }
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A state_dict's tensors from its bytes; the file name's extension says the format. */
export function parseStateDict(bytes: Uint8Array, fileName: string): Map<string, Tensor> {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.safetensors') return parseSafetensors(bytes, fileName);
  if (ext === '.npz') return parseNpz(bytes, fileName);
  throw new TensorFileError(
    `${fileName}: a state_dict must be a ${MODEL_FILE_EXTENSIONS.join(' or ')} file, got ${ext || 'no extension'}`,
  );
}

const GATES_TO_ARCH: Record<number, Arch> = { 1: 'rnn', 3: 'gru', 4: 'lstm' };

/** The layer's arch, read from weight_hh's shape: [H, H] nn.RNN, [3H, H] nn.GRU, [4H, H] nn.LSTM. */
function archOfLayer(tensors: Map<string, Tensor>, layer: number, fileName: string): Arch {
  const whh = tensors.get(`weight_hh_l${layer}`);
  // A missing key is reported by importWeights, with the keys the file has.
  if (!whh) return 'lstm';
  const [G, H] = whh.shape;
  const arch = whh.shape.length === 2 && H > 0 && G % H === 0 ? GATES_TO_ARCH[G / H] : undefined;
  if (!arch)
    throw new TensorFileError(
      `${fileName}: weight_hh_l${layer}: shape ${shapeText(whh.shape)}, expected [G, H] with G = H (nn.RNN), 3H (nn.GRU) or 4H (nn.LSTM)`,
    );
  return arch;
}

/** The layers a state_dict holds: the L of each weight_hh_l{L}. */
function layersOf(tensors: Map<string, Tensor>): number[] {
  const layers = [...tensors.keys()].map((k) => /^weight_hh_l(\d+)$/.exec(k)?.[1]).filter((l) => l !== undefined);
  return layers.map(Number).sort((a, b) => a - b);
}

export interface ModelFile {
  info: ModelFileInfo;
  weights: ImportedWeights;
}

/** One layer of a state_dict, checked (every key and shape) and described. */
export function describeWeights(
  bytes: Uint8Array,
  place: { ref: string; fileName: string; example: boolean },
  layer: number,
  tensors: Map<string, Tensor> = parseStateDict(bytes, place.fileName),
): ModelFile {
  const arch = archOfLayer(tensors, layer, place.fileName);
  const weights = importWeights(tensors, arch, layer, place.fileName);
  const parameters = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].reduce(
    (n, name) => n + tensors.get(`${name}_l${layer}`)!.data.length,
    0,
  );
  return {
    info: { ...place, sha256: sha256(bytes), arch, D: weights.D, H: weights.H, layer, parameters },
    weights,
  };
}

/** A spec's weights ref, read and checked. */
export function readWeights(ref: string, layer: number, dbPath: string | null): ModelFile {
  const place = locateRef(ref, dbPath);
  return describeWeights(readBytes(place.path, place.fileName), { ref, fileName: place.fileName, example: place.example }, layer);
}

export interface InputsFile {
  info: InputsFileInfo;
  x: Float64Array;
}

/** A spec's inputs ref: sequences x of shape (N, T, D) in a .npy file. */
export function readInputsFile(ref: string, dbPath: string | null): InputsFile {
  const place = locateRef(ref, dbPath);
  if (extname(place.fileName).toLowerCase() !== '.npy' && extname(place.path).toLowerCase() !== '.npy')
    throw new TensorFileError(`${place.fileName}: inputs must be a .npy file of shape (N, T, D)`);
  const bytes = readBytes(place.path, place.fileName);
  const t = parseNpy(bytes, place.fileName);
  if (t.shape.length !== 3 || t.shape.some((v) => v < 1))
    throw new TensorFileError(`${place.fileName}: shape ${shapeText(t.shape)}, expected (N, T, D)`);
  const [N, T, D] = t.shape;
  return { info: { ref, fileName: place.fileName, sha256: sha256(bytes), N, T, D }, x: t.data };
}

/** Every layer of every state_dict in a folder, described; files that cannot be read are left out. */
function listFolder(
  dir: string,
  refOf: (file: string) => string,
  example: boolean,
  nameOf: (path: string) => string,
): ModelFileInfo[] {
  if (!existsSync(dir)) return [];
  const out: ModelFileInfo[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!(MODEL_FILE_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase())) continue;
    const path = join(dir, file);
    try {
      const bytes = readFileSync(path);
      const place = { ref: refOf(file), fileName: nameOf(path), example };
      const tensors = parseStateDict(bytes, file);
      for (const layer of layersOf(tensors)) out.push(describeWeights(bytes, place, layer, tensors).info);
    } catch (err) {
      if (!(err instanceof TensorFileError)) throw err;
    }
  }
  return out;
}

/** The files imported into this lab (when it has a file), then the shipped examples. */
export function listModelFiles(dbPath: string | null): ModelFileInfo[] {
  const imported = dbPath
    ? listFolder(
        labModelsDir(dbPath),
        (file) => `${LAB_REF}${file}`,
        false,
        (path) => importedName(path) ?? basename(path),
      )
    : [];
  return [
    ...imported,
    ...listFolder(
      examplesDir(),
      (file) => `${EXAMPLE_REF}${file}`,
      true,
      (path) => basename(path),
    ),
  ];
}

/**
 * Checks a state_dict (its layer 0: every key and shape) and stores it beside the lab file as
 * `<sha256>.<ext>`, written whole (a temporary file renamed); the same bytes again are stored once.
 */
export function importModelFile(dbPath: string, fileName: string, bytes: Uint8Array): ModelFileInfo {
  const name = basename(fileName);
  if (bytes.length > MODEL_FILE_MAX_BYTES)
    throw new TensorFileError(`${name}: ${MiB(bytes.length)}, more than the ${MiB(MODEL_FILE_MAX_BYTES)} a model file may have`);
  const ext = extname(name).toLowerCase();
  const tensors = parseStateDict(bytes, name);
  const layer = layersOf(tensors)[0] ?? 0;
  const hash = sha256(bytes);
  const stored = `${hash}${ext}`;
  const described = describeWeights(bytes, { ref: `${LAB_REF}${stored}`, fileName: name, example: false }, layer, tensors);
  const dir = labModelsDir(dbPath);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, stored);
  if (!existsSync(path)) {
    writeWhole(`${path}.json`, JSON.stringify({ fileName: name, importedAt: new Date().toISOString() }) + '\n');
    writeWhole(path, bytes);
  }
  return { ...described.info, fileName: importedName(path) ?? name };
}

function writeWhole(path: string, data: string | Uint8Array): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, path);
}
