import { describe, expect, it } from 'vitest';
import { wrapPieces } from './wrapPoints';

describe('where a label may wrap besides its spaces', () => {
  it('after the separators of a file name, never inside a word', () => {
    expect(wrapPieces('LSTM offset=+2, trained (adding_lstm_T100_H32.safetensors)')).toEqual([
      'LSTM offset=+2, trained (adding_',
      'lstm_',
      'T100_',
      'H32.',
      'safetensors)',
    ]);
    expect(wrapPieces('example:adding_lstm_T100_H32.safetensors')).toEqual([
      'example:',
      'adding_',
      'lstm_',
      'T100_',
      'H32.',
      'safetensors',
    ]);
    expect(wrapPieces('runs/2024/my-gru.npz')).toEqual(['runs/', '2024/', 'my-', 'gru.', 'npz']);
  });

  it('keeps numbers and short labels whole, and loses no character', () => {
    for (const text of ['LSTM bf=0.5, T=100', 'rate 1e-5 at -2', 'h0 scale 0.25', '', 'a', 'x_', 'dc (LSTM only)']) {
      const pieces = wrapPieces(text);
      expect(pieces.join('')).toBe(text);
      expect(pieces.some((p) => /\d[.-]$/.test(p))).toBe(false);
    }
    expect(wrapPieces('LSTM bf=0.5, T=100')).toEqual(['LSTM bf=0.5, T=100']);
    expect(wrapPieces('')).toEqual(['']);
  });
});
