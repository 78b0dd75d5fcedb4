// A norm curve on disk: (steps) little-endian float64 log10 values, -Infinity = an exact 0.
import { endianness } from 'node:os';

const LE = endianness() === 'LE';

export function encodeLog10(values: Float64Array): Buffer {
  if (LE) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const buf = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) buf.writeDoubleLE(values[i], i * 8);
  return buf;
}

export function decodeLog10(blob: Uint8Array): Float64Array {
  const n = blob.byteLength >>> 3;
  if (LE) {
    // Copy into a fresh (8-byte aligned) buffer; SQLite's blob may sit at any offset.
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(blob.subarray(0, n * 8));
    return out;
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/**
 * A row of probe_results: one blob of log10 values per norm, NULL for one not computed (the
 * sweep's spec left it out; dc also for a probe that is not an LSTM).
 */
export interface ResultRow {
  probe_id: number;
  steps: number;
  dh: Buffer | null;
  dc: Buffer | null;
  dWx: Buffer | null;
  dWh: Buffer | null;
  db: Buffer | null;
  /** Schema 4 (migrations/004_probe_rates.sql), decades per step; null or absent: not computed or not applicable. */
  lyapunov_top?: number | null;
  /** The spectrum's k values, as the curves are stored. */
  lyapunov_spectrum?: Buffer | null;
  mean_field?: number | null;
  cell_path?: number | null;
  pmb_bound?: number | null;
}
