import { describe, expect, it } from 'vitest';
import type { ModelFileInfo } from '../../../contract/labApi';
import { DEFAULT_SWEEP_SPEC, sweepSpecSchema } from '../../../contract/sweepSpec';
import { ARCH_WITH_ARTICLE, checkForm, errorsByField, formFromSpec, type SweepForm } from './formModel';

const fresh = (): SweepForm => formFromSpec(DEFAULT_SWEEP_SPEC);

const LSTM_FILE: ModelFileInfo = {
  ref: 'example:lstm-adding.safetensors',
  fileName: 'lstm-adding.safetensors',
  sha256: 'ab'.repeat(32),
  arch: 'lstm',
  D: 2,
  H: 32,
  layer: 0,
  parameters: 4480,
  example: true,
};

describe('form model', () => {
  it('round-trips the default spec', () => {
    const check = checkForm(fresh());
    expect(check.errors).toEqual({});
    expect(check.valid).toBe(true);
    expect(sweepSpecSchema.parse(check.spec)).toEqual(DEFAULT_SWEEP_SPEC);
  });
  it('reads what is typed into the spec: lists with commas or spaces, exponents, ranges, seed counts', () => {
    const form = fresh();
    form.T.list = '16 64,1e3';
    form.forgetBias = { ...form.forgetBias, mode: 'range', range: { from: '-2', to: '4', count: '4', scale: 'linear' } };
    form.seeds = { mode: 'count', list: '', count: '3' };
    const check = checkForm(form);
    expect(check.valid).toBe(true);
    expect(check.spec.T).toEqual([16, 64, 1000]);
    expect(check.spec.forgetBias).toEqual({ from: -2, to: 4, count: 4, scale: 'linear' });
    expect(check.spec.seeds).toEqual({ count: 3 });
    expect(check.previews.forgetBias).toBe('= -2, 0, 2, 4');
  });
});

describe('the messages of issue 12 name the field as the form labels it', () => {
  const errorsOf = (edit: (f: SweepForm) => void): ReturnType<typeof checkForm>['errors'] => {
    const form = fresh();
    edit(form);
    const check = checkForm(form);
    expect(check.valid).toBe(false);
    return check.errors;
  };
  it('"16, abc, 64" in T', () => {
    expect(errorsOf((f) => (f.T.list = '16, abc, 64')).T).toBe(
      "Sequence lengths T: 'abc' is not an integer; use integers in [1, 1,000,000]",
    );
  });
  it('a range with from > to', () => {
    expect(
      errorsOf((f) => (f.T = { ...f.T, mode: 'range', range: { from: '1024', to: '16', count: '4', scale: 'log' } })).T,
    ).toBe('Sequence lengths T: from 1024 is greater than to 16; swap them');
  });
  it('duplicates', () => {
    const errors = errorsOf((f) => {
      f.T.list = '16, 64, 16';
      f.forgetBias.list = '0, 1, 0';
      f.seeds.list = '3 3';
    });
    expect(errors.T).toBe("Sequence lengths T: '16' is listed twice; give each value once");
    expect(errors.forgetBias).toBe("Forget-gate biases: '0' is listed twice; give each value once");
    expect(errors.seeds).toBe("Seeds: '3' is listed twice; give each value once");
  });
  it('1,024', () => {
    expect(errorsOf((f) => (f.H = '1,024')).H).toBe("Hidden H: '1,024': write 1024 without a thousands separator");
  });
  it('an out-of-range gain, a bad H, no architecture, no norm', () => {
    const errors = errorsOf((f) => {
      f.whGain = '150';
      f.H = '0';
      f.archs = { rnn: false, lstm: false, gru: false };
      f.norms = { dh: false, dc: false, dWx: false, dWh: false, db: false };
    });
    expect(errors['init.whGain']).toBe('Wh gain g: 150 is out of range; use a number in [0, 100]');
    expect(errors.H).toBe('Hidden H: 0 is out of range; use an integer in [1, 65,536]');
    expect(errors.archs).toBe('Architectures: tick at least one architecture');
    expect(errors.norms).toBe('Norms: tick at least one norm to compute');
  });
  it('the schema issues left after the fields read (the name) are worded by label', () => {
    expect(errorsOf((f) => (f.name = '  ')).name).toBe('Name: must not be empty');
    expect(errorsOf((f) => (f.name = 'a\u0000b')).name).toBe(
      'Name: must not contain control characters (tabs, line breaks, NUL, text-direction overrides)',
    );
  });
  it("the lab's issues (memory, probe count) go to their field, labelled", () => {
    expect(
      errorsByField([
        { path: 'H', message: 'lstm probe with T=100000, N=4096, D=16, H=4096 needs 1 TiB; reduce H (or T, N, D)' },
        { path: '(spec)', message: 'the sweep expands to 200000 probes' },
      ]),
    ).toEqual({
      H: 'Hidden H: lstm probe with T=100000, N=4096, D=16, H=4096 needs 1 TiB; reduce H (or T, N, D)',
      form: 'the sweep expands to 200000 probes',
    });
  });
});

describe('norms, loss step and a trained model', () => {
  it('a subset of norms goes into the spec; all five leave it out', () => {
    const form = fresh();
    expect('norms' in checkForm(form).spec).toBe(false);
    form.norms.dWx = false;
    expect(checkForm(form).spec.norms).toEqual(['dh', 'dc', 'dWh', 'db']);
  });
  it('a fixed loss step must lie inside the shortest sequence; a fraction of T is in [0, 1]', () => {
    const form = fresh();
    form.lossStep = { mode: 'step', step: '17', fraction: '0.5' };
    expect(checkForm(form).errors.lossStep).toBe(
      'Loss step: step 17 is out of range; use an integer in [1, 16] (the shortest sequence has T = 16)',
    );
    form.lossStep.step = '16';
    expect(checkForm(form).spec.lossStep).toBe(16);
    form.lossStep.mode = 'fraction';
    form.lossStep.fraction = '1.5';
    expect(checkForm(form).errors.lossStep).toBe('Loss step: fraction of T 1.5 is out of range; use a number in [0, 1]');
    form.lossStep.fraction = '0.25';
    expect(checkForm(form).spec.lossStep).toEqual({ fraction: 0.25 });
    expect(formFromSpec(sweepSpecSchema.parse(checkForm(form).spec)).lossStep).toMatchObject({
      mode: 'fraction',
      fraction: '0.25',
    });
  });
  it("a model file fixes D, H and the architecture; the bias axis becomes the file's offset", () => {
    const form = fresh();
    form.weights = LSTM_FILE.ref;
    form.D = '999999';
    form.forgetBias.list = '0, 0';
    const check = checkForm(form, [LSTM_FILE]);
    expect(check.errors.D).toBeUndefined();
    expect(check.errors.forgetBias).toBe("Forget/update-gate bias offset: '0' is listed twice; give each value once");
    form.forgetBias.list = '0, 1';
    const ok = checkForm(form, [LSTM_FILE]).spec;
    expect(checkForm(form, []).errors.weights).toMatch(
      /^Model: example:lstm-adding.safetensors is not among this lab's model files/,
    );
    expect(ok).toMatchObject({ archs: ['lstm'], D: 2, H: 32, weights: LSTM_FILE.ref });
  });
  it('fills the form from a spec to edit (duplicate-and-edit)', () => {
    const spec = sweepSpecSchema.parse({
      name: 'copy',
      archs: ['rnn'],
      T: { from: 8, to: 512, count: 7, scale: 'log' },
      forgetBias: [1],
      seeds: { count: 2 },
      N: 4,
      H: 32,
      init: { whGain: 1.5 },
      norms: ['dh', 'db'],
    });
    const form = formFromSpec(spec);
    expect(form.T).toMatchObject({ mode: 'range', range: { from: '8', to: '512', count: '7', scale: 'log' } });
    expect(form.archs).toEqual({ rnn: true, lstm: false, gru: false });
    expect(form.seeds).toMatchObject({ mode: 'count', count: '2' });
    expect(form.norms).toEqual({ dh: true, dc: false, dWx: false, dWh: false, db: true });
    const check = checkForm(form);
    expect(check.valid).toBe(true);
    expect(sweepSpecSchema.parse(check.spec)).toEqual(spec);
  });
});

describe('the form and what an architecture has', () => {
  it('names each architecture with its article: an LSTM, a GRU, a vanilla RNN', () => {
    expect(ARCH_WITH_ARTICLE).toEqual({ rnn: 'a vanilla RNN', lstm: 'an LSTM', gru: 'a GRU' });
  });

  it('without an LSTM, dc (the cell state) is out of the spec whatever its box says', () => {
    const form = fresh();
    form.archs = { rnn: true, lstm: false, gru: true };
    // Every norm that applies ticked: norms left out, as in a spec written without them.
    expect('norms' in checkForm(form).spec).toBe(false);
    form.norms.dWx = false;
    expect(checkForm(form).spec.norms).toEqual(['dh', 'dWh', 'db']);
    // dc alone computes nothing without an LSTM: refused, naming the field.
    form.norms = { dh: false, dc: true, dWx: false, dWh: false, db: false };
    expect(checkForm(form).errors.norms).toBe('Norms: tick at least one norm to compute');
    form.archs.lstm = true;
    expect(checkForm(form).spec.norms).toEqual(['dc']);
  });

  it("a GRU model file has no cell state either: dc is left out of a trained GRU's norms", () => {
    const gru: ModelFileInfo = { ...LSTM_FILE, ref: 'example:gru.safetensors', fileName: 'gru.safetensors', arch: 'gru' };
    const form = fresh();
    form.weights = gru.ref;
    form.norms.db = false;
    expect(checkForm(form, [gru]).spec.norms).toEqual(['dh', 'dWx', 'dWh']);
  });

  it('a duplicated spec with its own inputs keeps the file and leaves T out (the file fixes it)', () => {
    // As the lab stores it: T, N and D filled in from the file's shape.
    const stored = sweepSpecSchema.parse({
      name: 'my sequences',
      archs: ['rnn'],
      T: [100],
      forgetBias: [0],
      N: 16,
      D: 2,
      H: 8,
      inputs: 'example:adding_inputs_N16_T100.npy',
    });
    const form = formFromSpec(stored);
    expect(form.inputs).toBe('example:adding_inputs_N16_T100.npy');
    const check = checkForm(form);
    expect(check.valid).toBe(true);
    expect('T' in check.spec).toBe(false);
    expect(check.spec).toMatchObject({ inputs: stored.inputs, N: 16, D: 2, H: 8 });
    // A loss step is still checked against the file's T.
    form.lossStep = { mode: 'step', step: '101', fraction: '0.5' };
    expect(checkForm(form).errors.lossStep).toMatch(/^Loss step: step 101 is out of range; use an integer in \[1, 100\]/);
    // Back to Gaussian inputs: T goes into the spec again.
    form.lossStep.mode = 'last';
    form.inputs = null;
    expect(checkForm(form).spec).toMatchObject({ T: [100] });
    expect('inputs' in checkForm(form).spec).toBe(false);
  });
});
