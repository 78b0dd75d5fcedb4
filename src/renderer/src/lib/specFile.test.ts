import { describe, expect, it } from 'vitest';
import { specFromFile } from './specFile';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('a dropped spec file', () => {
  it('reads the JSON the CLI takes, defaults filled in, a BOM allowed', () => {
    const r = specFromFile('spec.json', bytes('\uFEFF{"name": "dropped", "T": [16, 64], "H": 8}'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec).toMatchObject({ name: 'dropped', T: [16, 64], H: 8, archs: ['rnn', 'lstm'], N: 16 });
  });
  it('says what is wrong, naming fields as the form labels them', () => {
    const r = specFromFile('bad.json', bytes('{"name": "x", "T": [16], "H": 0}'));
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/^bad\.json is not a sweep spec: Hidden H/) });
    expect(specFromFile('broken.json', bytes('{"name": '))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^broken\.json is not valid JSON/),
    });
    expect(specFromFile('empty.json', bytes('  '))).toEqual({ ok: false, message: 'empty.json is empty' });
  });
});
