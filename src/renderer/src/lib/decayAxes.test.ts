import { describe, expect, it } from 'vitest';
import { decayAxisTitles } from './decayAxes';

describe('the Decay curves axis titles', () => {
  it('say the distance in steps and the norm on a log scale', () => {
    expect(decayAxisTitles('dh', 'linear')).toEqual({
      xTitle: 'distance t − k from the loss step (steps)',
      yTitle: '‖∂L_t/∂h_k‖ (log scale)',
    });
    expect(decayAxisTitles('dc', 'log')).toEqual({
      xTitle: 'distance t − k from the loss step (steps; log scale, 0 not shown)',
      yTitle: '‖∂L_t/∂c_k‖ (log scale)',
    });
    expect(decayAxisTitles('dWh', 'linear').yTitle).toBe('‖∂L_t/∂Wh at step k‖ (log scale)');
  });
});
