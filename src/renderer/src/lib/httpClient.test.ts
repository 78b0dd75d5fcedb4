import { describe, expect, it } from 'vitest';
import { apiBase, countCsvRows, fileNameFromDisposition, tokenFromPath } from './httpClient';
import { formatDuration, formatBytes } from './format';
import { rampColors } from './colors';

describe('http client helpers', () => {
  const token = 'ab'.repeat(32);
  it('reads the token from the page path', () => {
    expect(tokenFromPath(`/${token}/`)).toBe(token);
    expect(tokenFromPath(`/${token}/index.html`)).toBe(token);
    expect(tokenFromPath('/')).toBeNull();
    expect(apiBase({ origin: 'http://127.0.0.1:5', pathname: `/${token}/` })).toBe(`http://127.0.0.1:5/${token}/api/`);
  });
  it('counts CSV data rows', () => {
    expect(countCsvRows('a,b\n1,2\n3,4\n')).toBe(2);
    expect(countCsvRows('a,b\n')).toBe(0);
    expect(countCsvRows('')).toBe(0);
  });
  it('reads the download name', () => {
    expect(fileNameFromDisposition('attachment; filename="x.csv"', 'y')).toBe('x.csv');
    expect(fileNameFromDisposition(null, 'y')).toBe('y');
  });
});

describe('formatting', () => {
  it('formats durations and sizes', () => {
    expect(formatDuration(5.4)).toBe('5s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(null)).toBe('—');
    expect(formatBytes(12560)).toBe('12.6 kB');
  });
  it('ramps distinct colours', () => {
    const c = rampColors(5);
    expect(new Set(c).size).toBe(5);
  });
});
