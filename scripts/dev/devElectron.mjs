// @ts-check
// `npm run dev`: the desktop app under electron-vite's dev mode: the renderer from Vite's dev
// server with hot reload, main and preload rebuilt and Electron restarted when they change
// (`npm run dev -- --watch`). The same preparation as `npm start`: the Electron binary and the
// Electron-ABI better-sqlite3 build, whose path the main process reads from SEQLAB_SQLITE_BINDING.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureElectronBinary, ensureElectronSqliteBinding, root } from '../launch/electronNative.mjs';

const electron = ensureElectronBinary(Number(process.env.SEQLAB_ELECTRON_INSTALL_TIMEOUT_MS ?? 60_000));
if ('error' in electron) {
  console.error(
    `SeqLab: the Electron binary is not installed and cannot be downloaded here (${electron.error}). ` +
      'Work on the UI in a browser instead: npm run dev:lab',
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

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, SEQLAB_SQLITE_BINDING: binding };
delete env.ELECTRON_RUN_AS_NODE;
const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [electronVite, 'dev', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
