// A trained PyTorch layer (a state_dict of nn.RNN with tanh, nn.LSTM or nn.GRU, saved as
// .safetensors or .npz) and a file of sequences (.npy), read and checked here, in the service
// layer, and handed to the engine as plain float64 arrays in its own layout: Wx (D, G) =
// weight_ih^T, Wh (H, G) = weight_hh^T, gates in the engine's order (PyTorch's LSTM i, f, g, o
// becomes i, f, o, g; the GRU's r, z, n stays), the RNN's and the LSTM's two biases summed into
// b, the GRU's kept apart (b = bias_ih, bh = bias_hh: its n gate needs b_hn inside r ⊙ (...)).
import { readFileSync } from 'node:fs';
import { extname, basename } from 'node:path';
import type { Arch, ImportedWeights } from '../../engine/index';
import { TensorFileError, parseNpy, parseNpz, parseSafetensors, shapeText, type Tensor } from './tensorFormats';

export { TensorFileError };

const GATES: Record<Arch, number> = { rnn: 1, lstm: 4, gru: 3 };
const MODULE: Record<Arch, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };
const LAYOUT: Record<Arch, string> = { rnn: 'H', lstm: '4H (i, f, g, o)', gru: '3H (r, z, n)' };

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TensorFileError(`${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The tensors of a .safetensors or .npz file. */
export function readStateDict(path: string): Map<string, Tensor> {
  const what = basename(path);
  const bytes = readBytes(path, what);
  const ext = extname(path).toLowerCase();
  if (ext === '.safetensors') return parseSafetensors(bytes, what);
  if (ext === '.npz') return parseNpz(bytes, what);
  throw new TensorFileError(`${what}: a state_dict must be a .safetensors or .npz file, got ${ext || 'no extension'}`);
}

/** The layer's weights in the engine's layout, checked against the arch (D and H from the file). */
export function importWeights(tensors: Map<string, Tensor>, arch: Arch, layer: number, what: string): ImportedWeights {
  const keys = [...tensors.keys()];
  const reverse = keys.find((k) => k.endsWith(`_l${layer}_reverse`));
  if (reverse)
    throw new TensorFileError(
      `${what}: ${reverse}: a bidirectional layer is not supported (only the forward direction would be probed)`,
    );
  const projection = keys.find((k) => k === `weight_hr_l${layer}`);
  if (projection) throw new TensorFileError(`${what}: ${projection}: a projected LSTM (proj_size > 0) is not supported`);
  const get = (name: string): Tensor => {
    const key = `${name}_l${layer}`;
    const t = tensors.get(key);
    if (!t) {
      const layers = [...new Set(keys.map((k) => /_l(\d+)$/.exec(k)?.[1]).filter((l) => l !== undefined))].join(', ');
      throw new TensorFileError(
        `${what}: missing key ${key} (the file has ${keys.length ? keys.join(', ') : 'no tensors'}${layers ? `; layers ${layers}` : ''})`,
      );
    }
    return t;
  };
  const wih = get('weight_ih');
  const whh = get('weight_hh');
  const bih = get('bias_ih');
  const bhh = get('bias_hh');
  const g = GATES[arch];
  if (whh.shape.length !== 2)
    throw new TensorFileError(`${what}: weight_hh_l${layer}: shape ${shapeText(whh.shape)}, expected [${LAYOUT[arch]}, H]`);
  const H = whh.shape[1];
  const G = g * H;
  const expect = (t: Tensor, name: string, shape: number[], text: string): void => {
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new TensorFileError(
        `${what}: ${name}_l${layer}: shape ${shapeText(t.shape)}, expected ${shapeText(shape)} (${text} for nn.${MODULE[arch]} with H = ${H})`,
      );
    }
  };
  expect(whh, 'weight_hh', [G, H], `[${LAYOUT[arch]}, H]`);
  if (wih.shape.length !== 2)
    throw new TensorFileError(
      `${what}: weight_ih_l${layer}: shape ${shapeText(wih.shape)}, expected [${G}, D] ([${LAYOUT[arch]}, D])`,
    );
  const D = wih.shape[1];
  expect(wih, 'weight_ih', [G, D], `[${LAYOUT[arch]}, D]`);
  expect(bih, 'bias_ih', [G], `[${LAYOUT[arch]}]`);
  expect(bhh, 'bias_hh', [G], `[${LAYOUT[arch]}]`);
  // Engine gate block e takes PyTorch's block order[e].
  const order = arch === 'lstm' ? [0, 1, 3, 2] : Array.from({ length: g }, (_, i) => i);
  const column = (u: number): number => order[Math.floor(u / H)] * H + (u % H);
  const Wx = new Float64Array(D * G);
  const Wh = new Float64Array(H * G);
  const b = new Float64Array(G);
  const bh = new Float64Array(G);
  for (let u = 0; u < G; u++) {
    const row = column(u);
    for (let i = 0; i < D; i++) Wx[i * G + u] = wih.data[row * D + i];
    for (let i = 0; i < H; i++) Wh[i * G + u] = whh.data[row * H + i];
    b[u] = arch === 'gru' ? bih.data[row] : bih.data[row] + bhh.data[row];
    bh[u] = bhh.data[row];
  }
  return { arch, D, H, Wx, Wh, b, ...(arch === 'gru' ? { bh } : {}) };
}

/** Sequences x (N, T, D) from a .npy file. */
export function readInputs(path: string): { N: number; T: number; D: number; x: Float64Array } {
  const what = basename(path);
  if (extname(path).toLowerCase() !== '.npy') throw new TensorFileError(`${what}: inputs must be a .npy file of shape (N, T, D)`);
  const t = parseNpy(readBytes(path, what), what);
  if (t.shape.length !== 3 || t.shape.some((v) => v < 1))
    throw new TensorFileError(`${what}: shape ${shapeText(t.shape)}, expected (N, T, D)`);
  const [N, T, D] = t.shape;
  return { N, T, D, x: t.data };
}
