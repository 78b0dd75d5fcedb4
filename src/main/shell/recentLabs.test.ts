import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECENT, readRecentLabs, withoutRecent, withRecent, writeRecentLabs } from './recentLabs';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('recent labs', () => {
  it('keeps the most recent first, each file once, at most MAX_RECENT', () => {
    let list: string[] = [];
    for (let i = 0; i < MAX_RECENT + 3; i++) list = withRecent(list, `/labs/l${i}.sqlite`);
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toBe(resolve('/labs/l12.sqlite'));
    list = withRecent(list, '/labs/l5.sqlite');
    expect(list[0]).toBe(resolve('/labs/l5.sqlite'));
    expect(list.filter((p) => p.endsWith('l5.sqlite'))).toHaveLength(1);
    expect(withoutRecent(list, '/labs/l5.sqlite')).not.toContain(resolve('/labs/l5.sqlite'));
  });

  it('stores absolute paths, so one file is one entry however it was named', () => {
    const list = withRecent(withRecent([], 'lab.sqlite'), join(process.cwd(), 'lab.sqlite'));
    expect(list).toEqual([resolve('lab.sqlite')]);
  });

  it('drops files gone from the disk when it reads the list, and survives a damaged file', () => {
    dir = mkdtempSync(join(tmpdir(), 'seqlab-recent-'));
    const file = join(dir, 'recent-labs.json');
    const kept = join(dir, 'kept.sqlite');
    writeFileSync(kept, '');
    writeRecentLabs(file, [join(dir, 'deleted.sqlite'), kept, kept]);
    expect(readRecentLabs(file)).toEqual([kept]);
    writeFileSync(file, '{ not json');
    expect(readRecentLabs(file)).toEqual([]);
    writeFileSync(file, JSON.stringify({ paths: [kept] }));
    expect(readRecentLabs(file)).toEqual([]);
  });
});
