import { describe, expect, it } from 'vitest';
import { labelledMessage, sweepFieldOf } from './labelledIssue';
import { sweepSpecSchema } from './sweepSpec';

describe('spec issues named by the form labels', () => {
  it('finds the labelled field of a path', () => {
    expect(sweepFieldOf('T.2')).toBe('T');
    expect(sweepFieldOf('init.whGain')).toBe('init.whGain');
    expect(sweepFieldOf('forgetBias.count')).toBe('forgetBias');
    expect(sweepFieldOf('(spec)')).toBeNull();
  });
  it('replaces the spec name a message starts with by the label, keeping a part after it', () => {
    expect(labelledMessage({ path: 'init.whGain', message: 'init.whGain must be a number in [0, 100]' })).toBe(
      'Wh gain g: must be a number in [0, 100]',
    );
    expect(labelledMessage({ path: 'T.count', message: 'T.count must be an integer in [1, 1000]' })).toBe(
      'Sequence lengths T: count must be an integer in [1, 1000]',
    );
    expect(labelledMessage({ path: 'seeds.1', message: 'seed must be an integer in [0, 4294967295]' })).toBe(
      'Seeds: must be an integer in [0, 4294967295]',
    );
    expect(labelledMessage({ path: 'T', message: 'T: a log range needs from > 0 and to > 0' })).toBe(
      'Sequence lengths T: a log range needs from > 0 and to > 0',
    );
  });
  it('a message about the field in other words gets the label in front; a labelled one a new label', () => {
    expect(labelledMessage({ path: 'H', message: 'lstm probe with T=9 needs 9 GiB' })).toBe(
      'Hidden H: lstm probe with T=9 needs 9 GiB',
    );
    expect(
      labelledMessage(
        { path: 'forgetBias', message: 'Forget-gate biases list 1 more than once; give each value once' },
        { forgetBias: 'Offset' },
      ),
    ).toBe('Offset list 1 more than once; give each value once');
    expect(labelledMessage({ path: '(spec)', message: 'the sweep expands to 9 probes' })).toBe('the sweep expands to 9 probes');
  });
  it('every issue the schema raises on a bad spec names a label, not a spec name', () => {
    const r = sweepSpecSchema.safeParse({ name: ' ', T: [0], N: 0, D: 0.5, H: 'x', init: { whGain: -1, h0Scale: 200 } });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => labelledMessage({ path: i.path.join('.'), message: i.message }));
    expect(messages).toContain('Name: must not be empty');
    expect(messages).toContain('Batch N: must be an integer in [1, 65536]');
    expect(messages).toContain('Input D: must be an integer in [1, 65536]');
    expect(messages).toContain('Hidden H: must be a number');
    expect(messages).toContain('Wh gain g: must be a number in [0, 100]');
    expect(messages).toContain('h0 scale: must be a number in [0, 100]');
    for (const m of messages) expect(m).not.toMatch(/^(init\.|forgetBias|N |D |H )/);
  });
});
