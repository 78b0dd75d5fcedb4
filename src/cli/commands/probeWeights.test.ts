// `seqlab probe --weights/--inputs` run as a user would (node out/main/cli.js), against PyTorch:
// the fixtures of reference/torch (made by make_torch_fixtures.py with Debian's python3-torch)
// hold nn.RNN, nn.LSTM and nn.GRU state_dicts as .safetensors and .npz, their inputs as .npy,
// and the per-step ||dL/dh_k|| of PyTorch's float64 autograd. Then the refusals, each naming the
// key and the shape found against the shape expected.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../lab/modelFile/tensorFormats';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'out', 'main', 'cli.js');
const FIXTURES = join(ROOT, 'reference', 'torch', 'fixtures');

interface TorchCase {
  name: string;
  arch: 'rnn' | 'lstm' | 'gru';
  layer: number;
  seed: number;
  h0_scale: number;
  N: number;
  T: number;
  D: number;
  H: number;
  inputs: string | null;
  weights: Record<string, string>;
  dh: number[];
  h_last: number[];
}

const CASES: TorchCase[] = JSON.parse(readFileSync(join(ROOT, 'reference', 'torch', 'torch_fixtures.json'), 'utf8')).cases;

function seqlab(...args: string[]) {
  const res = spawnSync(process.execPath, [CLI, 'probe', ...args], { encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const fixture = (file: string) => join(FIXTURES, file);

function probeCase(c: TorchCase, weights: string, extra: string[] = []) {
  const args = [
    '--arch',
    c.arch,
    '--weights',
    fixture(weights),
    '--seed',
    String(c.seed),
    '--h0-scale',
    String(c.h0_scale),
    '--json',
  ];
  if (c.layer !== 0) args.push('--layer', String(c.layer));
  if (c.inputs) args.push('--inputs', fixture(c.inputs));
  else args.push('--T', String(c.T), '--N', String(c.N));
  const r = seqlab(...args, ...extra);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function expectTorch(
  out: { config: Record<string, number>; last_loss: { dh: number[] }; forward: { h_last: number[] } },
  c: TorchCase,
): void {
  expect(out.config).toMatchObject({ arch: c.arch, T: c.T, N: c.N, D: c.D, H: c.H, lossStep: c.T - 1 });
  expect(out.last_loss.dh).toHaveLength(c.T);
  out.last_loss.dh.forEach((v, k) => expect(Math.abs(v - c.dh[k]) / c.dh[k], `dh[${k}]`).toBeLessThan(1e-10));
  out.forward.h_last.forEach((v, i) => expect(Math.abs(v - c.h_last[i]), `h_last[${i}]`).toBeLessThan(1e-12));
}

describe('seqlab probe --weights: equal to PyTorch float64 autograd', () => {
  for (const c of CASES) {
    for (const [kind, file] of Object.entries(c.weights)) {
      it(`${c.name} (${kind}${c.inputs ? ', --inputs' : ', x drawn'}${c.layer ? `, --layer ${c.layer}` : ''})`, () => {
        const out = probeCase(c, file);
        expectTorch(out, c);
        expect(out.weights).toMatchObject({ layer: c.layer, arch: c.arch, D: c.D, H: c.H });
        if (c.inputs) expect(out.inputs).toMatchObject({ N: c.N, T: c.T, D: c.D });
      });
    }
  }

  it('takes N and T from --inputs, and the sizes the files fix may be repeated', () => {
    const c = CASES.find((x) => x.name === 'gru')!;
    expectTorch(probeCase(c, c.weights.npz, ['--T', String(c.T), '--N', String(c.N), '--D', String(c.D), '--H', String(c.H)]), c);
  });

  it("a float32 file gives the float64 file's result exactly", () => {
    const c = CASES.find((x) => x.name === 'lstm')!;
    const f32 = probeCase(c, c.weights.safetensors_f32);
    const f64 = probeCase(c, c.weights.safetensors);
    expect(f32.last_loss.log10).toEqual(f64.last_loss.log10);
  });
});

/** A .safetensors file by hand (the format's 8-byte length, JSON header, raw data). */
function writeSafetensors(path: string, tensors: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [k, t] of Object.entries(tensors)) {
    header[k] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, ...Object.values(tensors).map((t) => Buffer.from(t.bytes))]));
}

/** The tensors of a fixture, as float64 bytes, ready to be edited into a broken file. */
function fixtureTensors(file: string): Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }> {
  const out: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }> = {};
  for (const [k, t] of parseSafetensors(readFileSync(fixture(file)), file)) {
    out[k] = { dtype: 'F64', shape: t.shape, bytes: new Uint8Array(new Float64Array(t.data).buffer) };
  }
  return out;
}

describe('seqlab probe --weights: refusals name the key and the shapes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-weights-'));
  const refuse = (args: string[], message: RegExp) => {
    const r = seqlab(...args);
    expect(r.code, r.stdout).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  };

  it('a GRU file probed as an LSTM: weight_hh_l0 [12, 4] against [16, 4]', () => {
    refuse(
      ['--arch', 'lstm', '--weights', fixture('gru.safetensors'), '--T', '3'],
      /--weights: .*weight_hh_l0: shape \[12, 4\], expected \[16, 4\]/,
    );
  });

  it('a missing key: layer 1 of a one-layer file', () => {
    refuse(
      ['--arch', 'gru', '--weights', fixture('gru.npz'), '--layer', '1', '--T', '3'],
      /--weights: .*missing key weight_ih_l1.*layers 0/,
    );
  });

  it('a misshaped bias', () => {
    const t = fixtureTensors('rnn.safetensors');
    t.bias_hh_l0 = { dtype: 'F64', shape: [3], bytes: new Uint8Array(24) };
    const path = join(dir, 'bias.safetensors');
    writeSafetensors(path, t);
    refuse(['--arch', 'rnn', '--weights', path, '--T', '3'], /--weights: .*bias_hh_l0: shape \[3\], expected \[4\]/);
  });

  it('a bidirectional layer and a projected LSTM', () => {
    const bi = fixtureTensors('gru.safetensors');
    bi.weight_ih_l0_reverse = bi.weight_ih_l0;
    writeSafetensors(join(dir, 'bi.safetensors'), bi);
    refuse(
      ['--arch', 'gru', '--weights', join(dir, 'bi.safetensors'), '--T', '3'],
      /--weights: .*weight_ih_l0_reverse: a bidirectional layer/,
    );
    const proj = fixtureTensors('lstm.safetensors');
    proj.weight_hr_l0 = { dtype: 'F64', shape: [2, 4], bytes: new Uint8Array(64) };
    writeSafetensors(join(dir, 'proj.safetensors'), proj);
    refuse(
      ['--arch', 'lstm', '--weights', join(dir, 'proj.safetensors'), '--T', '3'],
      /--weights: .*weight_hr_l0: a projected LSTM/,
    );
  });

  it('an unknown dtype', () => {
    const t = fixtureTensors('gru.safetensors');
    t.weight_hh_l0 = { dtype: 'F16', shape: [12, 4], bytes: new Uint8Array(96) };
    writeSafetensors(join(dir, 'f16.safetensors'), t);
    refuse(
      ['--arch', 'gru', '--weights', join(dir, 'f16.safetensors'), '--T', '3'],
      /--weights: .*weight_hh_l0: dtype F16 is not F32 or F64/,
    );
  });

  it('truncated files: safetensors, npz and npy', () => {
    const st = readFileSync(fixture('gru.safetensors'));
    writeFileSync(join(dir, 'cut.safetensors'), st.subarray(0, st.length - 9));
    refuse(['--arch', 'gru', '--weights', join(dir, 'cut.safetensors'), '--T', '3'], /--weights: .*bias_hh_l0: truncated/);
    const npz = readFileSync(fixture('gru.npz'));
    writeFileSync(join(dir, 'cut.npz'), npz.subarray(0, npz.length - 40));
    refuse(['--arch', 'gru', '--weights', join(dir, 'cut.npz'), '--T', '3'], /--weights: .*truncated/);
    const npy = readFileSync(fixture('gru_inputs.npy'));
    writeFileSync(join(dir, 'cut.npy'), npy.subarray(0, npy.length - 8));
    refuse(
      ['--arch', 'gru', '--weights', fixture('gru.npz'), '--inputs', join(dir, 'cut.npy')],
      /--inputs: .*truncated: shape \[2, 7, 3\] <f8 needs 336 bytes of data, the file has 328/,
    );
  });

  it('--D, --H, --T and --N that disagree with the files', () => {
    refuse(
      ['--arch', 'gru', '--weights', fixture('gru.npz'), '--T', '3', '--H', '5'],
      /--H: H = 5 disagrees with the weights' hidden size \(weight_hh_l0 is \[G, 4\]\).*give 4/,
    );
    refuse(
      ['--arch', 'gru', '--weights', fixture('gru.npz'), '--T', '3', '--D', '2'],
      /--D: D = 2 disagrees with the weights' input size \(weight_ih_l0 is \[G, 3\]\)/,
    );
    refuse(
      ['--arch', 'gru', '--inputs', fixture('gru_inputs.npy'), '--T', '5'],
      /--T: T = 5 disagrees with the inputs' T \(shape \[2, 7, 3\]\)/,
    );
    refuse(['--arch', 'gru', '--inputs', fixture('gru_inputs.npy'), '--N', '3'], /--N: N = 3 disagrees with the inputs' N/);
    refuse(
      ['--arch', 'gru', '--weights', fixture('gru_layer1.npz'), '--layer', '1', '--inputs', fixture('gru_inputs.npy')],
      /--inputs: the inputs' D = 3 .* must be the weights' input size .*: 4/,
    );
  });
});
