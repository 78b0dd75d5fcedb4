import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_SPEC, sweepSpecSchema } from '../../../contract/sweepSpec';
import { checkForm, fieldOf, formFromSpec, parseNumberList, specFromForm } from './formModel';

describe('form model', () => {
  it('round-trips the default spec', () => {
    const form = formFromSpec(DEFAULT_SWEEP_SPEC);
    const check = checkForm(form);
    expect(check.valid).toBe(true);
    expect(sweepSpecSchema.parse(specFromForm(form))).toEqual(DEFAULT_SWEEP_SPEC);
  });
  it('parses lists with commas, spaces and semicolons; junk becomes NaN', () => {
    expect(parseNumberList('16, 64 256;1e3')).toEqual([16, 64, 256, 1000]);
    expect(parseNumberList('1, x')).toEqual([1, NaN]);
  });
  it('names the field and the allowed range', () => {
    const form = formFromSpec(DEFAULT_SWEEP_SPEC);
    form.H = '0';
    form.Tlist = '16, 200000';
    form.whGain = 'abc';
    form.rnn = false;
    form.lstm = false;
    const { errors, valid } = checkForm(form);
    expect(valid).toBe(false);
    expect(errors.H).toBe('H must be an integer in [1, 4096]');
    expect(errors.T).toBe('T must be an integer in [1, 100000]');
    expect(errors['init.whGain']).toMatch(/init\.whGain must be a .*number/);
    expect(errors.archs).toMatch(/archs must list at least one/);
  });
  it('builds ranges and seed counts', () => {
    const form = formFromSpec(DEFAULT_SWEEP_SPEC);
    form.Tmode = 'range';
    form.Trange = { from: '16', to: '1024', count: '4', scale: 'log' };
    form.seedsMode = 'count';
    form.seedsCount = '3';
    const spec = specFromForm(form);
    expect(spec.T).toEqual({ from: 16, to: 1024, count: 4, scale: 'log' });
    expect(spec.seeds).toEqual({ count: 3 });
    expect(checkForm(form).valid).toBe(true);
    form.Trange.from = '0';
    expect(checkForm(form).errors.T).toMatch(/log range needs from > 0|T must be/);
  });
  it('maps issue paths to fields', () => {
    expect(fieldOf('T.3')).toBe('T');
    expect(fieldOf('forgetBias.count')).toBe('forgetBias');
    expect(fieldOf('init.whGain')).toBe('init.whGain');
    expect(fieldOf('')).toBe('form');
  });
});

describe('the form refuses what the CLI and the lab server refuse, with the same messages', () => {
  it('a value listed twice, named by the field label', () => {
    const form = formFromSpec(DEFAULT_SWEEP_SPEC);
    form.Tlist = '16, 64, 16';
    form.bfList = '0, 1, 0';
    form.seedsList = '3 3';
    form.seedsMode = 'list';
    const { errors, valid } = checkForm(form);
    expect(valid).toBe(false);
    expect(errors.T).toBe('Sequence lengths T list 16 more than once; give each value once');
    expect(errors.forgetBias).toBe('Forget-gate biases list 0 more than once; give each value once');
    expect(errors.seeds).toBe('Seeds list 3 more than once; give each value once');
  });
  it('control characters in the name', () => {
    const form = formFromSpec(DEFAULT_SWEEP_SPEC);
    form.name = 'a\u0000b';
    expect(checkForm(form).errors.name).toBe(
      'name must not contain control characters (tabs, line breaks, NUL, text-direction overrides)',
    );
  });
  it('numbers that are not decimal (as the CLI refuses --T 0x10), and exponents as the CLI reads them', () => {
    expect(parseNumberList('0x10, 16abc, 0b1, Infinity, 1e1, -2.5')).toEqual([NaN, NaN, NaN, NaN, 10, -2.5]);
    const form = formFromSpec(DEFAULT_SWEEP_SPEC);
    form.Tlist = '0x10';
    expect(checkForm(form).valid).toBe(false);
    form.Tlist = '1e1, 32';
    expect(checkForm(form).valid).toBe(true);
  });
});
