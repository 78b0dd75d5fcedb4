import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_SPEC, type SweepSpec } from '../../../contract/sweepSpec';
import { differingFields, specBrief, sweepLabels, type ComparedSweep } from './sweepDifferences';

const spec = (over: Partial<SweepSpec> & { weights?: string } = {}): SweepSpec => ({ ...DEFAULT_SWEEP_SPEC, ...over });
const sweep = (id: number, s: SweepSpec, name = `sweep ${id}`): ComparedSweep => ({ id, name, spec: s });

describe('what tells compared sweeps apart', () => {
  it('names the spec fields that differ, not the series axes nor the name', () => {
    const a = sweep(1, spec({ H: 64, T: [16, 64] }), 'small');
    const b = sweep(2, spec({ H: 128, T: [16, 256], forgetBias: [1], init: { ...DEFAULT_SWEEP_SPEC.init, whGain: 1.5 } }), 'big');
    expect(differingFields([a, b])).toEqual(['H', 'init.whGain']);
    expect(sweepLabels([a, b])).toEqual(
      new Map([
        [1, 'H=64, g=1'],
        [2, 'H=128, g=1.5'],
      ]),
    );
  });
  it('one sweep, or sweeps whose specs differ only in name, archs, T or biases: "#id name"', () => {
    expect(differingFields([sweep(1, spec())])).toEqual([]);
    expect(sweepLabels([sweep(1, spec()), sweep(2, spec({ archs: ['lstm'] }))])).toEqual(
      new Map([
        [1, '#1 sweep 1'],
        [2, '#2 sweep 2'],
      ]),
    );
  });
  it('norms and Lyapunov vectors do not change the curves: they tell nothing apart', () => {
    const a = sweep(1, spec());
    const b = sweep(2, { ...spec(), norms: ['dh'], lyapunovVectors: 4 });
    expect(differingFields([a, b])).toEqual([]);
  });
  it('imported weights read "trained (file name)" against "at init"', () => {
    const trained = sweep(1, spec({ weights: 'lab:0123abcd.safetensors', archs: ['lstm'], H: 32 }));
    const atInit = sweep(2, spec({ archs: ['lstm'], H: 32 }));
    const names = (ref: string): string => (ref === 'lab:0123abcd.safetensors' ? 'adding_lstm.safetensors' : ref);
    expect(sweepLabels([trained, atInit], names)).toEqual(
      new Map([
        [1, 'trained (adding_lstm.safetensors)'],
        [2, 'at init'],
      ]),
    );
    // Without the lab's model list, the ref's own name.
    expect(sweepLabels([sweep(3, spec({ weights: 'example:adding_gru.npz' })), atInit]).get(3)).toBe(
      'trained (adding_gru.npz), H=64',
    );
  });
  it('fields it does not know read "path=value"; three sweeps where two agree get their ids', () => {
    const a = sweep(1, { ...spec(), extraOption: 'x' } as SweepSpec);
    const b = sweep(2, spec());
    expect(sweepLabels([a, b]).get(1)).toBe('extraOption=x');
    const c = sweep(3, spec({ N: 8 }));
    const d = sweep(4, spec({ N: 8 }));
    const labels = sweepLabels([b, c, d]);
    expect(labels.get(3)).toBe('N=8 (#3 sweep 3)');
    expect(labels.get(4)).toBe('N=8 (#4 sweep 4)');
  });
  it('seeds as a list or a count', () => {
    const labels = sweepLabels([sweep(1, spec({ seeds: [1, 2, 3] })), sweep(2, spec({ seeds: { count: 5 } }))]);
    expect([...labels.values()]).toEqual(['seeds 1,2,3', '5 seeds']);
  });
  it('a footer line names the sweep and its configuration', () => {
    expect(specBrief(3, 'study', spec({ T: { from: 16, to: 4096, count: 9, scale: 'log' } }))).toBe(
      '#3 study: rnn, lstm; T 16…4096 (9); biases -2, 0, 1, 2, 4; seeds 1; N=16 D=16 H=64; scaled init g=1',
    );
  });
});
