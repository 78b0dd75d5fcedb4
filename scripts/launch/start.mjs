// @ts-check
// `npm start`: Electron binary check -> Electron-ABI better-sqlite3 -> build -> launch.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureElectronBinary, ensureElectronSqliteBinding, root } from './electronNative.mjs';

const electron = ensureElectronBinary(Number(process.env.SEQLAB_ELECTRON_INSTALL_TIMEOUT_MS ?? 60_000));
if ('error' in electron) {
  console.error(
    `SeqLab: the Electron binary is not installed and cannot be downloaded here (${electron.error}). ` +
      'Run the lab in a browser instead: npm run serve',
  );
  process.exit(1);
}

let binding;
try {
  binding = ensureElectronSqliteBinding();
} catch (err) {
  console.error(`SeqLab: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, SEQLAB_SQLITE_BINDING: binding };
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electron.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
