// GRU sweeps and sweeps of a trained layer (issue 14), over the real service: a real SQLite file,
// real worker processes, the shipped example models, and files written here.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../contract/result';
import type { SweepSpecRequest } from '../contract/sweepSpec';
import { modelInputs, runProbe, withDefaults, type GivenModel } from '../engine/index';
import { sweepProbeOptions } from '../engine/probeCost';
import { CSV_COLUMNS } from './export/csvExport';
import { forkSpawner } from './runner/workerTransport';
import { importWeights, readStateDict } from './modelFile/importedModel';
import { examplesDir } from './modelFile/modelFiles';
import { tempDir, WORKER } from './testing/labTestSupport';
import { openLabService, type LabService } from './labService';

const GRU_EXAMPLE = 'adding_gru_T100_H32.safetensors';
const LSTM_EXAMPLE = 'adding_lstm_T100_H32.safetensors';

const open: LabService[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function lab(dir = tempDir()) {
  const dbPath = join(dir, 'lab.sqlite');
  const service = await openLabService({ dbPath, workers: 2, spawnWorker: forkSpawner(WORKER) });
  open.push(service);
  return { service, dbPath, dir };
}

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/** The issues of a refused call, by field. */
function issuesOf(r: Result<unknown>): Record<string, string> {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value).slice(0, 300)}`);
  expect(r.error.code).toBe('invalid-argument');
  return Object.fromEntries((r.error.issues ?? []).map((i) => [i.path, i.message]));
}

const log10OrNull = (a: Float64Array | undefined) => (a ? Array.from(a, (v) => (v === -Infinity ? null : v)) : null);

/** A .npy file of float64 values in C order. */
function writeNpy(path: string, shape: number[], values: Float64Array): void {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]));
}

describe('a GRU sweep', () => {
  it('runs in real workers beside the RNN and the LSTM, the forget-bias axis on its update gate, no dc', async () => {
    const { service } = await lab();
    const spec: SweepSpecRequest = {
      name: 'three archs',
      archs: ['gru', 'lstm', 'rnn'],
      T: [12],
      forgetBias: [0, 1.5],
      N: 2,
      D: 3,
      H: 4,
    };
    const queued = unwrap(await service.queueSweep(spec));
    expect(queued.probes.total).toBe(5); // gru x 2 biases, lstm x 2, rnn once
    expect(unwrap(await service.waitForSweep(queued.id)).status).toBe('done');
    const detail = unwrap(await service.getSweep(queued.id));
    const gru = detail.probes.filter((p) => p.arch === 'gru');
    expect(gru.map((p) => p.forgetBias)).toEqual([0, 1.5]);
    for (const norm of ['dh', 'dWx', 'dWh', 'db', 'dc'] as const) {
      const curves = unwrap(await service.loadCurves({ sweepId: queued.id, norm })).curves;
      for (const c of curves) {
        const config = withDefaults({ arch: c.arch, T: 12, N: 2, D: 3, H: 4, seed: 1, forgetBias: c.forgetBias ?? 0 });
        const expected = runProbe(config, sweepProbeOptions(c.arch, 0)).lossStepNorms[norm];
        if (norm === 'dc' && c.arch !== 'lstm') {
          expect(expected).toBeUndefined();
          continue;
        }
        expect(c.log10, `${c.arch} ${norm}`).toEqual(log10OrNull(expected));
      }
      const archs = curves.map((c) => c.arch).sort();
      expect(archs).toEqual(norm === 'dc' ? ['lstm', 'lstm'] : ['gru', 'gru', 'lstm', 'lstm', 'rnn']);
    }
    // The update-gate offset changes the GRU's curve.
    const dh = unwrap(await service.loadCurves({ sweepId: queued.id, norm: 'dh' })).curves.filter((c) => c.arch === 'gru');
    expect(dh[0].log10).not.toEqual(dh[1].log10);

    // The CSV: a row per step of each probe, the GRU's with its bias and no dc.
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    const exported = unwrap(await service.exportCsvToStream({ sweepIds: [queued.id] }, out));
    expect(exported.rows).toBe(5 * 12);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    const rows = text
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const gruRows = rows.filter((r) => r[col('arch')] === 'gru');
    expect(gruRows).toHaveLength(24);
    expect(new Set(gruRows.map((r) => r[col('forget_bias')]))).toEqual(new Set(['0', '1.5']));
    expect(gruRows.every((r) => r[col('log10_dc')] === '' && r[col('log10_dh')] !== '')).toBe(true);
  });
});

describe('a sweep of a trained layer', () => {
  it('takes the arch, D and H from the shipped example, stores its summary, and equals the engine on its weights', async () => {
    const { service } = await lab();
    const spec: SweepSpecRequest = { name: 'trained gru', weights: `example:${GRU_EXAMPLE}`, T: [30], forgetBias: [0, -1], N: 2 };
    const check = unwrap(await service.checkSweep(spec));
    expect(check.spec.archs).toEqual(['gru']);
    expect([check.spec.D, check.spec.H]).toEqual([2, 32]);
    const bytes = readFileSync(join(examplesDir(), GRU_EXAMPLE));
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(check.model?.weights).toMatchObject({
      fileName: GRU_EXAMPLE,
      arch: 'gru',
      D: 2,
      H: 32,
      layer: 0,
      sha256: sha,
      example: true,
    });
    expect(check.model?.weights?.parameters).toBe(3 * 32 * (2 + 32 + 2));

    const queued = unwrap(await service.queueSweep(spec));
    expect(unwrap(await service.waitForSweep(queued.id)).status).toBe('done');
    const detail = unwrap(await service.getSweep(queued.id));
    expect(detail.model?.weights?.sha256).toBe(sha);
    const weights = importWeights(readStateDict(join(examplesDir(), GRU_EXAMPLE)), 'gru', 0, GRU_EXAMPLE);
    const curves = unwrap(await service.loadCurves({ sweepId: queued.id, norm: 'dh' })).curves;
    expect(curves.map((c) => c.forgetBias).sort()).toEqual([-1, 0]);
    for (const c of curves) {
      const config = withDefaults({ arch: 'gru', T: 30, N: 2, D: 2, H: 32, seed: 1, forgetBias: c.forgetBias! });
      const given: GivenModel = { weights };
      const expected = runProbe(config, { ...sweepProbeOptions('gru', 0), inputs: modelInputs(config, given) });
      expect(c.log10).toEqual(log10OrNull(expected.lossStepNorms.dh));
    }
    // The offset is added to the trained bias: 0 is the trained model itself, -1 another curve.
    expect(curves[0].log10).not.toEqual(curves[1].log10);
  });

  it('runs on the sequences of an inputs file, which fixes T and N', async () => {
    const { service, dir } = await lab();
    const [N, T, D] = [3, 25, 2];
    const x = Float64Array.from({ length: N * T * D }, (_, i) => Math.sin(i * 0.37));
    const inputs = join(dir, 'seqs.npy');
    writeNpy(inputs, [N, T, D], x);
    const spec: SweepSpecRequest = { name: 'own data', weights: `example:${LSTM_EXAMPLE}`, inputs };
    const queued = unwrap(await service.queueSweep(spec));
    expect(unwrap(await service.waitForSweep(queued.id)).status).toBe('done');
    const detail = unwrap(await service.getSweep(queued.id));
    expect(detail.spec).toMatchObject({ archs: ['lstm'], T: [T], N, D, H: 32 });
    expect(detail.model?.inputs).toMatchObject({ fileName: 'seqs.npy', N, T, D });
    const weights = importWeights(readStateDict(join(examplesDir(), LSTM_EXAMPLE)), 'lstm', 0, LSTM_EXAMPLE);
    const config = withDefaults({ arch: 'lstm', T, N, D, H: 32, seed: 1 });
    const expected = runProbe(config, { ...sweepProbeOptions('lstm', 0), inputs: modelInputs(config, { weights, x }) });
    const [curve] = unwrap(await service.loadCurves({ sweepId: queued.id, norm: 'dc' })).curves;
    expect(curve.log10).toEqual(log10OrNull(expected.lossStepNorms.dc));
  });

  it('refuses what disagrees with the files, naming the field and both values', async () => {
    const { service, dir } = await lab();
    const weights = `example:${GRU_EXAMPLE}`;
    const archs = issuesOf(await service.checkSweep({ name: 'x', weights, T: [10], archs: ['lstm', 'gru'] }));
    expect(archs.archs).toMatch(/holds an nn\.GRU layer.*Architectures may list only "gru", got \["lstm","gru"\]/);
    const sizes = issuesOf(await service.checkSweep({ name: 'x', weights, T: [10], D: 16, H: 64 }));
    expect(sizes.D).toMatch(
      /D = 16 disagrees with the weights file adding_gru_T100_H32\.safetensors: its input size \(weight_ih_l0 is \[3H, 2\]\) is 2/,
    );
    expect(sizes.H).toMatch(/H = 64 disagrees .* is 32/);
    const layer = issuesOf(await service.checkSweep({ name: 'x', weights, T: [10], layer: 1 }));
    expect(layer.weights).toMatch(/missing key weight_ih_l1 .*layers 0/);

    const inputs = join(dir, 'x.npy');
    writeNpy(inputs, [4, 9, 2], new Float64Array(4 * 9 * 2));
    const withT = issuesOf(await service.checkSweep({ name: 'x', weights, inputs, T: [9] }));
    expect(withT.T).toMatch(
      /the inputs file x\.npy fixes T = 9 \(its shape \(N, T, D\) = \(4, 9, 2\)\); leave Sequence lengths T out/,
    );
    const withN = issuesOf(await service.checkSweep({ name: 'x', inputs, N: 16 }));
    expect(withN.N).toMatch(/N = 16 disagrees with the inputs file x\.npy: its shape \(N, T, D\) = \(4, 9, 2\) gives N = 4/);
    const wrongD = join(dir, 'wide.npy');
    writeNpy(wrongD, [1, 5, 3], new Float64Array(15));
    const dMismatch = issuesOf(await service.checkSweep({ name: 'x', weights, inputs: wrongD }));
    expect(dMismatch.inputs).toMatch(
      /wide\.npy has D = 3 .* the weights file adding_gru_T100_H32\.safetensors has input size D = 2/,
    );
    const missing = issuesOf(await service.checkSweep({ name: 'x', weights: join(dir, 'nope.safetensors'), T: [4] }));
    expect(missing.weights).toMatch(/nope\.safetensors: cannot read .*: no such file/);
    const noT = issuesOf(await service.checkSweep({ name: 'x', weights }));
    expect(Object.keys(noT)).toContain('T');
  });

  it('refuses to resume a sweep whose weights file changed since it was queued', async () => {
    const { service, dir } = await lab();
    const file = join(dir, 'mine.safetensors');
    copyFileSync(join(examplesDir(), GRU_EXAMPLE), file);
    const spec: SweepSpecRequest = { name: 'mine', weights: file, T: [8], N: 1 };
    const first = unwrap(await service.queueOrResumeSweep(spec, { resume: true }));
    expect(unwrap(await service.waitForSweep(first.id)).status).toBe('done');
    // The same bytes resume the same sweep.
    expect(unwrap(await service.queueOrResumeSweep(spec, { resume: true }))).toMatchObject({ id: first.id, resumed: true });
    // Another trained GRU of the same shape in its place: same spec, not the same model.
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(file, bytes);
    const again = await service.queueOrResumeSweep(spec, { resume: true });
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.error.code).toBe('conflict');
    expect(again.error.issues?.[0].path).toBe('weights');
    expect(again.error.message).toMatch(
      /mine\.safetensors changed since the sweep was queued \(SHA-256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/,
    );
  });

  it('fails the probes of a sweep whose file changed before its runner got to them', async () => {
    const first = await lab();
    const file = join(first.dir, 'mine.safetensors');
    copyFileSync(join(examplesDir(), GRU_EXAMPLE), file);
    // Many probes, paused at once: most are still queued when the lab closes.
    const queued = unwrap(await first.service.queueSweep({ name: 'later', weights: file, T: [8], N: 1, seeds: { count: 200 } }));
    unwrap(await first.service.pauseSweep(queued.id));
    await first.service.close();
    open.splice(open.indexOf(first.service), 1);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(file, bytes);
    const second = await lab(first.dir);
    unwrap(await second.service.resumeSweep(queued.id));
    expect(unwrap(await second.service.waitForSweep(queued.id)).status).toBe('failed');
    const failed = unwrap(await second.service.getSweep(queued.id)).probes.filter((p) => p.status === 'failed');
    expect(failed.length).toBeGreaterThan(100);
    for (const p of failed) expect(p.error).toMatch(/^weights: mine\.safetensors changed since the sweep was queued/);
  });
});

describe('importModel and listModels', () => {
  it('stores an upload beside the lab file by its SHA-256 and lists it before the shipped examples', async () => {
    const { service, dbPath } = await lab();
    const bytes = readFileSync(join(examplesDir(), LSTM_EXAMPLE));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const info = unwrap(
      await service.importModel({ fileName: 'my trained lstm.safetensors', bytesBase64: bytes.toString('base64') }),
    );
    expect(info).toMatchObject({
      ref: `lab:${sha}.safetensors`,
      fileName: 'my trained lstm.safetensors',
      sha256: sha,
      arch: 'lstm',
      D: 2,
      H: 32,
      example: false,
    });
    const stored = join(`${dbPath}.models`, `${sha}.safetensors`);
    expect(readFileSync(stored).equals(bytes)).toBe(true);
    // The same bytes again: the same file.
    expect(unwrap(await service.importModel({ fileName: 'again.safetensors', bytesBase64: bytes.toString('base64') })).ref).toBe(
      info.ref,
    );

    const models = unwrap(await service.listModels());
    expect(models[0]).toEqual(info);
    const examples = models.filter((m) => m.example);
    expect(examples.map((m) => [m.fileName, m.arch])).toEqual(
      expect.arrayContaining([
        [GRU_EXAMPLE, 'gru'],
        [LSTM_EXAMPLE, 'lstm'],
      ]),
    );
    expect(examples.every((m) => m.ref === `example:${m.fileName}`)).toBe(true);

    // The ref goes into a spec as it is.
    const check = unwrap(await service.checkSweep({ name: 'imported', weights: info.ref, T: [5] }));
    expect(check.model?.weights?.fileName).toBe('my trained lstm.safetensors');
  });

  it('refuses a bad file naming the key and the shapes, and stores nothing', async () => {
    const { service, dbPath } = await lab();
    // A GRU state_dict whose weight_hh has the wrong width: hand-written safetensors.
    const tensors = { weight_ih_l0: [12, 2], weight_hh_l0: [12, 5], bias_ih_l0: [12], bias_hh_l0: [12] };
    let offset = 0;
    const header: Record<string, unknown> = {};
    for (const [k, shape] of Object.entries(tensors)) {
      const n = shape.reduce((a, b) => a * b, 1) * 4;
      header[k] = { dtype: 'F32', shape, data_offsets: [offset, offset + n] };
      offset += n;
    }
    const text = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    const bad = Buffer.concat([len, text, Buffer.alloc(offset)]);
    const r = await service.importModel({ fileName: 'bad.safetensors', bytesBase64: bad.toString('base64') });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid-argument');
    expect(r.error.message).toBe(
      'bad.safetensors: weight_hh_l0: shape [12, 5], expected [G, H] with G = H (nn.RNN), 3H (nn.GRU) or 4H (nn.LSTM)',
    );
    const truncated = await service.importModel({
      fileName: 'cut.safetensors',
      bytesBase64: bad.subarray(0, bad.length - 10).toString('base64'),
    });
    expect(truncated.ok).toBe(false);
    const text2 = await service.importModel({ fileName: 'notes.txt', bytesBase64: Buffer.from('hello').toString('base64') });
    expect(!text2.ok && text2.error.message).toBe('notes.txt: a state_dict must be a .safetensors or .npz file, got .txt');
    const notBase64 = await service.importModel({ fileName: 'x.npz', bytesBase64: 'not base64!' });
    expect(!notBase64.ok && notBase64.error.issues?.[0].path).toBe('bytesBase64');
    expect(existsSync(`${dbPath}.models`)).toBe(false);
  });
});
