import { describe, expect, it } from 'vitest';
import { base64Of } from './fileBytes';

describe('a file as base64', () => {
  it('equals Node’s encoding, across the 32 KiB chunks it is built in', () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 7919) % 256);
    expect(base64Of(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64Of(new Uint8Array(0))).toBe('');
  });
});
