// Readers for the two tensor files a PyTorch state_dict is saved as here: numpy's .npy (and so
// .npz, a zip of them, unzipped with fflate) and safetensors. Both headers are short and plain
// (a Python dict literal; a JSON object), so they are read by hand; every value becomes float64.
import { unzipSync } from 'fflate';

/** A tensor read from a file: its shape, its dtype as the file named it, its values as float64. */
export interface Tensor {
  shape: number[];
  dtype: string;
  data: Float64Array;
}

/** A file that cannot be read as what it claims to be; `message` names the file and the key. */
export class TensorFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorFileError';
  }
}

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape: number[]): string => `[${shape.join(', ')}]`;

/** Little-endian float32 or float64 bytes as float64 values. */
function decode(bytes: Uint8Array, offset: number, n: number, width: 4 | 8): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n * width);
  const out = new Float64Array(n);
  if (width === 8) for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** numpy dtypes read: little-endian (or byte-order-free) float32 and float64. */
const NPY_WIDTH: Record<string, 4 | 8> = { '<f4': 4, '<f8': 8, '=f4': 4, '=f8': 8 };

/** One .npy file (format versions 1-3, C order). `what` names it in errors. */
export function parseNpy(bytes: Uint8Array, what: string): Tensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b))
    throw new TensorFileError(`${what}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6];
  const lenBytes = major === 1 ? 2 : 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 + lenBytes) throw new TensorFileError(`${what}: truncated .npy header`);
  const headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (bytes.length < start)
    throw new TensorFileError(`${what}: truncated .npy header (${bytes.length} bytes, the header ends at ${start})`);
  const header = new TextDecoder().decode(bytes.subarray(8 + lenBytes, start));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (descr === undefined || fortran === undefined || !shapeMatch)
    throw new TensorFileError(`${what}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  const width = NPY_WIDTH[descr];
  if (!width) throw new TensorFileError(`${what}: dtype ${descr} is not float32 (<f4) or float64 (<f8)`);
  if (fortran === 'True')
    throw new TensorFileError(`${what}: Fortran-ordered arrays are not read; save it in C order (np.ascontiguousarray)`);
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const n = count(shape);
  if (bytes.length < start + n * width) {
    throw new TensorFileError(
      `${what}: truncated: shape ${shapeText(shape)} ${descr} needs ${n * width} bytes of data, the file has ${bytes.length - start}`,
    );
  }
  return { shape, dtype: descr, data: decode(bytes, start, n, width) };
}

/** An .npz file: each member `name.npy` as `name`. */
export function parseNpz(bytes: Uint8Array, what: string): Map<string, Tensor> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new TensorFileError(`${what}: not a readable .npz (zip) file, or truncated: ${(err as Error).message}`);
  }
  const out = new Map<string, Tensor>();
  for (const [name, data] of Object.entries(files)) {
    const key = name.replace(/\.npy$/, '');
    out.set(key, parseNpy(data, `${what}: ${key}`));
  }
  return out;
}

const SAFETENSORS_WIDTH: Record<string, 4 | 8> = { F32: 4, F64: 8 };

/** A .safetensors file: 8-byte little-endian header length, a JSON header, the raw data. */
export function parseSafetensors(bytes: Uint8Array, what: string): Map<string, Tensor> {
  if (bytes.length < 8) throw new TensorFileError(`${what}: truncated: ${bytes.length} bytes, not even the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (8 + headerLen > bytes.length)
    throw new TensorFileError(
      `${what}: truncated: the header claims ${headerLen} bytes, the file has ${bytes.length - 8} after the length`,
    );
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    throw new TensorFileError(`${what}: not a .safetensors file (its header is not JSON)`);
  }
  const data = 8 + headerLen;
  const out = new Map<string, Tensor>();
  for (const [key, t] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const width = SAFETENSORS_WIDTH[t.dtype];
    if (!width) throw new TensorFileError(`${what}: ${key}: dtype ${t.dtype} is not F32 or F64`);
    const [from, to] = t.data_offsets;
    const n = count(t.shape);
    if (to - from !== n * width)
      throw new TensorFileError(
        `${what}: ${key}: shape ${shapeText(t.shape)} ${t.dtype} needs ${n * width} bytes, its offsets give ${to - from}`,
      );
    if (data + to > bytes.length)
      throw new TensorFileError(`${what}: ${key}: truncated: its data ends at byte ${data + to}, the file has ${bytes.length}`);
    out.set(key, { shape: t.shape, dtype: t.dtype, data: decode(bytes, data + from, n, width) });
  }
  return out;
}

export { shapeText };
