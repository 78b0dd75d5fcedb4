// The .npy, .npz and .safetensors readers on files numpy and the fixture script wrote, and on
// hand-made ones for what those do not produce (float32 .npy, version 2 headers, Fortran order).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { TensorFileError, parseNpy, parseNpz, parseSafetensors } from './tensorFormats';

const FIXTURES = join(resolve(import.meta.dirname, '..', '..', '..'), 'reference', 'torch', 'fixtures');

/** A .npy file: magic, version, header length, the padded header, the data. */
function npy(descr: string, shape: number[], data: Uint8Array, opts: { version?: number; fortran?: boolean } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = 6 + 2 + (version === 1 ? 2 : 4);
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(data, pre + header.length);
  return out;
}

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const f64 = (values: number[]) => new Uint8Array(new Float64Array(values).buffer);

describe('parseNpy', () => {
  it("reads numpy's own file: shape and float64 values", () => {
    const t = parseNpy(readFileSync(join(FIXTURES, 'gru_inputs.npy')), 'gru_inputs.npy');
    expect(t.shape).toEqual([2, 7, 3]);
    expect(t.dtype).toBe('<f8');
    expect(t.data).toHaveLength(42);
  });

  it('reads float32 (exactly widened) and version 2 headers', () => {
    const t = parseNpy(npy('<f4', [2, 2], f32([0.1, -2, 3.5, 1e-30]), { version: 2 }), 'a.npy');
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual(Array.from(new Float32Array([0.1, -2, 3.5, 1e-30])));
    expect(parseNpy(npy('<f8', [3], f64([1, 2, 3])), 'b.npy').shape).toEqual([3]);
  });

  it('refuses other dtypes, Fortran order, a bad magic and truncated data', () => {
    expect(() => parseNpy(npy('<f2', [2], new Uint8Array(4)), 'h.npy')).toThrow(/h\.npy: dtype <f2 is not float32/);
    expect(() => parseNpy(npy('>f8', [1], new Uint8Array(8)), 'be.npy')).toThrow(/dtype >f8/);
    expect(() => parseNpy(npy('<f8', [2, 2], f64([1, 2, 3, 4]), { fortran: true }), 'f.npy')).toThrow(/Fortran-ordered/);
    expect(() => parseNpy(new Uint8Array(20), 'z.npy')).toThrow(/not a \.npy file/);
    expect(() => parseNpy(npy('<f8', [2, 2], f64([1, 2, 3])), 'cut.npy')).toThrow(TensorFileError);
    expect(() => parseNpy(npy('<f8', [2, 2], f64([1, 2, 3])), 'cut.npy')).toThrow(
      /truncated: shape \[2, 2\] <f8 needs 32 bytes of data, the file has 24/,
    );
  });
});

describe('parseNpz and parseSafetensors', () => {
  it('read the same state_dict from both files', () => {
    const a = parseNpz(readFileSync(join(FIXTURES, 'lstm.npz')), 'lstm.npz');
    const b = parseSafetensors(readFileSync(join(FIXTURES, 'lstm.safetensors')), 'lstm.safetensors');
    expect([...a.keys()].sort()).toEqual(['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']);
    for (const [k, t] of a) {
      expect(b.get(k)!.shape, k).toEqual(t.shape);
      expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(t.data));
    }
  });

  it('a compressed .npz (np.savez_compressed) reads too', () => {
    const zipped = zipSync({ 'w.npy': npy('<f4', [2], f32([1.5, -1])) }, { level: 6 });
    expect(Array.from(parseNpz(zipped, 'c.npz').get('w')!.data)).toEqual([1.5, -1]);
  });

  it('refuse what is not a zip, a safetensors header beyond the file, and offsets that do not fit the shape', () => {
    expect(() => parseNpz(new Uint8Array(30), 'x.npz')).toThrow(/x\.npz: not a readable \.npz/);
    const st = readFileSync(join(FIXTURES, 'gru.safetensors'));
    expect(() => parseSafetensors(st.subarray(0, 20), 'g.safetensors')).toThrow(/truncated: the header claims/);
    expect(() => parseSafetensors(st.subarray(0, 5), 'g.safetensors')).toThrow(/not even the 8-byte header length/);
    const header = Buffer.from(JSON.stringify({ w: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    expect(() => parseSafetensors(Buffer.concat([len, header, Buffer.alloc(8)]), 's.safetensors')).toThrow(
      /w: shape \[2\] F64 needs 16 bytes, its offsets give 8/,
    );
  });
});
