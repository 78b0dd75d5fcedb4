// @ts-check
// `npm start`: Electron binary check -> Electron-ABI better-sqlite3 -> build -> launch.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { exitWithChild, prepareElectronOrExit, root } from './electronNative.mjs';

const { binary, env } = prepareElectronOrExit('Run the lab in a browser instead: npm run serve');

const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

exitWithChild(spawn(binary, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env }));
