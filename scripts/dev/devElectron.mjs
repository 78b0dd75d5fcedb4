// @ts-check
// `npm run dev`: the desktop app under electron-vite's dev mode: the renderer from Vite's dev
// server with hot reload, main and preload rebuilt and Electron restarted when they change
// (`npm run dev -- --watch`). The same preparation as `npm start`: the Electron binary and the
// Electron-ABI better-sqlite3 build, whose path the main process reads from SEQLAB_SQLITE_BINDING.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { exitWithChild, prepareElectronOrExit, root } from '../launch/electronNative.mjs';

const { env } = prepareElectronOrExit('Work on the UI in a browser instead: npm run dev:lab');
const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
exitWithChild(spawn(process.execPath, [electronVite, 'dev', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env }));
