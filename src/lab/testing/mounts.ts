// Real file systems for the tests of what happens on read-only media and on a full disk: a
// read-only bind mount of a folder, and a tiny tmpfs. Both need root and mount(8); where this
// machine cannot make one, the helper says why, and the test skips with that reason. Each mount
// is unmounted after the test file.
import { spawnSync } from 'node:child_process';
import { afterAll } from 'vitest';
import { tempDir } from './labTestSupport';

export type Mount = { path: string } | { skip: string };

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts.splice(0).reverse()) spawnSync('umount', ['-l', m]);
});

const run = (args: string[]) => spawnSync('mount', args, { encoding: 'utf8' });
const reason = (r: ReturnType<typeof run>): string => (r.stderr || r.error?.message || `exit ${r.status}`).trim();

/** `source` seen read-only at a new path (mount --bind, then remount ro), or why not. */
export function readOnlyMount(source: string): Mount {
  const target = tempDir('seqlab-ro-');
  const bind = run(['--bind', source, target]);
  if (bind.status !== 0) return { skip: `cannot bind-mount here (${reason(bind)})` };
  mounts.push(target);
  const ro = run(['-o', 'remount,bind,ro', target]);
  if (ro.status !== 0) return { skip: `cannot remount read-only here (${reason(ro)})` };
  return { path: target };
}

/** An empty tmpfs of `kib` KiB (a disk that fills up quickly), or why not. */
export function smallFileSystem(kib: number): Mount {
  const target = tempDir('seqlab-small-fs-');
  const r = run(['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', target]);
  if (r.status !== 0) return { skip: `cannot mount a tmpfs here (${reason(r)})` };
  mounts.push(target);
  return { path: target };
}
