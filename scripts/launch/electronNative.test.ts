import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronInfo, hasAbi, sqliteBindingPath } from './electronNative.mjs';

describe('electronNative', () => {
  it('puts the Electron addon under native/electron-<version>-<platform>-<arch>/', () => {
    const { version, abi } = electronInfo();
    expect(abi).toMatch(/^\d+$/);
    expect(sqliteBindingPath('linux', 'x64')).toContain(
      `${sep}native${sep}electron-${version}-linux-x64${sep}better_sqlite3.node`,
    );
  });

  it('reads the ABI an addon was compiled for', () => {
    const require = createRequire(import.meta.url);
    const nodeBuild = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    expect(hasAbi(nodeBuild, process.versions.modules)).toBe(true);
    expect(hasAbi(nodeBuild, electronInfo().abi)).toBe(false);
    expect(hasAbi(nodeBuild, process.versions.modules.slice(0, -1))).toBe(false);
  });
});
