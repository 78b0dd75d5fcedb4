import { describe, expect, it } from 'vitest';
import { LAB_CALLS, NO_ARG_CALLS, isLabCall } from './labCalls';
import { LAB_ARG_SCHEMAS, invokeLab, validateLabArg } from './labArgs';
import type { LabApi } from './labApi';
import { ok } from './result';

describe('lab call arguments', () => {
  it('has a schema entry for every call', () => {
    expect(Object.keys(LAB_ARG_SCHEMAS).sort()).toEqual([...LAB_CALLS].sort());
    for (const c of LAB_CALLS) expect(LAB_ARG_SCHEMAS[c] === null).toBe(NO_ARG_CALLS.has(c));
    expect(isLabCall('queueSweep')).toBe(true);
    expect(isLabCall('constructor')).toBe(false);
    expect(isLabCall('__proto__')).toBe(false);
  });
  it('accepts good arguments and fills spec defaults', () => {
    const r = validateLabArg('queueSweep', { name: 'x', T: [16] });
    expect(r.ok && r.value).toMatchObject({ name: 'x', T: [16], archs: ['rnn', 'lstm'], H: 64 });
    expect(validateLabArg('getSweep', 3)).toEqual(ok(3));
    expect(validateLabArg('listSweeps', undefined)).toEqual(ok(undefined));
    expect(validateLabArg('exportCsv', {})).toEqual(ok({}));
  });
  it('rejects bad arguments with the field and the range', () => {
    const r = validateLabArg('queueSweep', { name: 'x', T: [0], N: 70_000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-argument');
      expect(r.error.issues).toEqual(
        expect.arrayContaining([
          { path: 'T.0', message: 'T must be an integer in [1, 1000000]' },
          { path: 'N', message: 'N must be an integer in [1, 65536]' },
        ]),
      );
    }
    for (const bad of ['1', -1, 1.5, null, {}, [1]]) expect(validateLabArg('cancelSweep', bad).ok).toBe(false);
    expect(validateLabArg('loadCurves', { sweepId: 1, norm: 'dh', extra: 1 }).ok).toBe(false);
    expect(validateLabArg('exportCsv', { sweepIds: ['1'] }).ok).toBe(false);
    expect(validateLabArg('listSweeps', { any: 1 }).ok).toBe(false);
  });
  it('checks sweep refs: names or ids as typed, trimmed, non-empty', () => {
    expect(validateLabArg('resolveSweeps', ['forget bias', ' 12 '])).toEqual(ok(['forget bias', '12']));
    expect(validateLabArg('resolveSweeps', [])).toEqual(ok([]));
    for (const bad of [undefined, 'name', [3], ['  '], ['x'.repeat(201)], {}]) {
      const r = validateLabArg('resolveSweeps', bad);
      expect(r.ok || r.error.code, JSON.stringify(bad)).toBe('invalid-argument');
    }
    const r = validateLabArg('checkSweep', { name: 'x', T: [16], N: 0 });
    expect(r.ok || r.error.issues).toEqual([{ path: 'N', message: 'N must be an integer in [1, 65536]' }]);
  });
  it('invokes the method with or without its argument', async () => {
    const seen: unknown[][] = [];
    const api = new Proxy(
      {},
      {
        get:
          (_t, name) =>
          (...args: unknown[]) => (seen.push([name, ...args]), Promise.resolve(ok(null))),
      },
    ) as LabApi;
    await invokeLab(api, 'listSweeps', undefined);
    await invokeLab(api, 'getSweep', 7);
    expect(seen).toEqual([['listSweeps'], ['getSweep', 7]]);
  });
});
