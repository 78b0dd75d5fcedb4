import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_SPEC, sweepSpecSchema } from '../../../contract/sweepSpec';
import { shortHash, specFileName, specJson, specLines } from './specLines';

describe('a spec as the spec panel shows it', () => {
  it('names every field as the form labels it, ranges and counts included', () => {
    const spec = sweepSpecSchema.parse({
      name: 'a/b: c',
      T: { from: 16, to: 4096, count: 5, scale: 'log' },
      seeds: { count: 3 },
      lossStep: { fraction: 0.5 },
    });
    const byLabel = Object.fromEntries(specLines(spec).map((l) => [l.label, l.value]));
    expect(byLabel).toMatchObject({
      Architectures: 'rnn, lstm',
      'Sequence lengths T': '16 … 4096, 5 log-spaced',
      'Forget-gate biases': '0',
      Seeds: '1 … 3',
      'N, D, H': '16, 16, 64',
      Init: 'scaled, g = 1, h0 scale 0, b scale 0',
      'Loss step': '0.5 × T',
    });
    expect(specFileName(spec, 7)).toBe('sweep-7-a-b-c.spec.json');
  });

  it('downloads as the JSON `seqlab sweep` takes: it parses back to the same spec', () => {
    expect(sweepSpecSchema.parse(JSON.parse(specJson(DEFAULT_SWEEP_SPEC)))).toEqual(DEFAULT_SWEEP_SPEC);
  });
});

describe('a sweep of a trained model in the spec panel', () => {
  const sha = 'ab12'.repeat(16);
  const spec = sweepSpecSchema.parse({
    name: 'trained',
    archs: ['lstm'],
    T: [100],
    forgetBias: [0, 2],
    D: 2,
    H: 32,
    weights: 'example:adding_lstm_T100_H32.safetensors',
  });
  const model = {
    weights: {
      ref: 'example:adding_lstm_T100_H32.safetensors',
      fileName: 'adding_lstm_T100_H32.safetensors',
      sha256: sha,
      arch: 'lstm' as const,
      D: 2,
      H: 32,
      layer: 0,
      parameters: 4480,
      example: true,
    },
  };

  it('names the bias axis an offset to the trained bias, and the model by file name and short hash', () => {
    const lines = specLines(spec, model);
    const byLabel = Object.fromEntries(lines.map((l) => [l.label, l.value]));
    expect(byLabel['Forget/update-gate bias offset']).toBe('0, 2');
    expect(byLabel['Forget-gate biases']).toBeUndefined();
    expect(byLabel.Model).toBe('adding_lstm_T100_H32.safetensors');
    expect(lines.find((l) => l.label === 'Model')?.sha256).toBe(sha);
    expect(shortHash(sha)).toBe(`${sha.slice(0, 12)}…`);
    // Only the h0 scale of the init applies to trained weights.
    expect(byLabel.Init).toBe('trained weights, h0 scale 0');
  });

  it('without the files (a draft), the model by its ref', () => {
    const byLabel = Object.fromEntries(specLines(spec).map((l) => [l.label, l.value]));
    expect(byLabel.Model).toBe('example:adding_lstm_T100_H32.safetensors');
    expect(specLines(spec).find((l) => l.label === 'Model')?.sha256).toBeUndefined();
  });
});
