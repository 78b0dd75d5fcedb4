// @ts-check
// One place for the Electron binary and the Electron-ABI better-sqlite3 build.
//
// node_modules/better-sqlite3 keeps its own build for plain Node (tests, CLI,
// server). Electron needs a build against its own ABI; it lives beside it in
// native/electron-<version>-<platform>-<arch>/better_sqlite3.node and the main
// process loads it through SEQLAB_SQLITE_BINDING (better-sqlite3's nativeBinding).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');
const electronDir = join(root, 'node_modules', 'electron');
const sqliteDir = join(root, 'node_modules', 'better-sqlite3');

/** @returns {{ version: string, abi: string }} Electron's version and NODE_MODULE_VERSION. */
export function electronInfo() {
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8'));
  const abi = readFileSync(join(electronDir, 'abi_version'), 'utf8').trim();
  return { version, abi };
}

/** Where the Electron-ABI better-sqlite3 addon lives (it may not exist yet). */
export function sqliteBindingPath(platform = process.platform, arch = process.arch) {
  const { version } = electronInfo();
  return join(root, 'native', `electron-${version}-${platform}-${arch}`, 'better_sqlite3.node');
}

/**
 * True if the addon at `file` was compiled for the given NODE_MODULE_VERSION.
 * @param {string} file
 * @param {string} abi
 */
export function hasAbi(file, abi) {
  // NODE_MODULE_INIT exports a symbol named after the ABI it was compiled for.
  return existsSync(file) && readFileSync(file).includes(`node_register_module_v${abi}\0`);
}

/** Path of the Electron executable, or null. Unlike require('electron'), never downloads. */
export function findElectronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(p) ? p : null;
  }
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const p = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(p) ? p : null;
}

/**
 * Finds the Electron executable, running electron's own (lazy) installer once if needed.
 * @returns {{ path: string } | { error: string }}
 */
export function ensureElectronBinary(timeoutMs = 120_000) {
  const found = findElectronBinary();
  if (found) return { path: found };
  const res = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const again = findElectronBinary();
  if (again) return { path: again };
  if (res.error) return { error: `installer: ${res.error.message}` };
  const line = `${res.stderr}\n${res.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error|fail/i.test(l));
  return { error: `download failed: ${line ?? `installer exited ${res.status}`}` };
}

/** Environment for native builds: npm's nodedir/target/runtime settings would silently win over our flags. */
function buildEnv() {
  /** @type {Record<string, string | undefined>} */
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|build_from_source)$/i.test(k)) delete env[k];
    if (/^npm_package_config_node_gyp_/i.test(k)) delete env[k];
  }
  return env;
}

function nodeGypCommand() {
  const candidates = [];
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  if (process.env.npm_execpath)
    candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  const js = candidates.find((c) => existsSync(c));
  // npx would re-export npm's user config (nodedir) to node-gyp, hence the explicit empty override.
  return js ? { cmd: process.execPath, args: [js] } : { cmd: 'npx', args: ['--yes', 'node-gyp'] };
}

/**
 * Makes sure the Electron-ABI better-sqlite3 addon exists, building it once if needed.
 * @param {(msg: string) => void} log
 * @returns {string} the addon path
 */
export function ensureElectronSqliteBinding(log = (msg) => console.error(msg)) {
  const { version, abi } = electronInfo();
  const target = sqliteBindingPath();
  if (hasAbi(target, abi)) return target;

  log(`SeqLab: building better-sqlite3 for Electron ${version} (ABI ${abi}); one time, may take a few minutes...`);
  const work = mkdtempSync(join(tmpdir(), 'seqlab-sqlite-'));
  const pkgDir = join(work, 'better-sqlite3');
  const logFile = join(dirname(target), 'build.log');
  mkdirSync(dirname(target), { recursive: true });
  let logText = '';
  try {
    const oldBuild = join(sqliteDir, 'build');
    cpSync(sqliteDir, pkgDir, { recursive: true, filter: (src) => src !== oldBuild && !src.startsWith(oldBuild + sep) });
    const built = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
    const env = buildEnv();
    const run = (
      /** @type {string} */ cmd,
      /** @type {string[]} */ args,
      /** @type {Record<string, string | undefined>} */ e = env,
    ) => {
      const r = spawnSync(cmd, args, { cwd: pkgDir, env: e, encoding: 'utf8', timeout: 20 * 60_000 });
      logText += `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}\n`;
      return r.status === 0;
    };
    const prebuild = join(root, 'node_modules', 'prebuild-install', 'bin.js');
    const flags = [`--runtime=electron`, `--target=${version}`, `--arch=${process.arch}`];
    if (!(
      existsSync(prebuild) &&
      run(process.execPath, [prebuild, ...flags, `--platform=${process.platform}`]) &&
      hasAbi(built, abi)
    )) {
      const gyp = nodeGypCommand();
      const gypEnv = gyp.cmd === 'npx' ? { ...env, npm_config_nodedir: '' } : env;
      run(gyp.cmd, [...gyp.args, 'rebuild', '--release', ...flags, '--dist-url=https://electronjs.org/headers'], gypEnv);
    }
    if (!existsSync(built)) {
      const why = logText.split('\n').find((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(l));
      throw new Error(`better-sqlite3 build for Electron failed${why ? ` (${why.trim()})` : ''}; see ${logFile}`);
    }
    if (!hasAbi(built, abi)) throw new Error(`better-sqlite3 was built for the wrong ABI (expected ${abi}); see ${logFile}`);
    copyFileSync(built, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    return target;
  } finally {
    writeFileSync(logFile, logText);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What `npm start` and `npm run dev` both need before Electron can run: the binary and the
 * Electron-ABI better-sqlite3 build. Exits with one line (and where to go instead) if either
 * cannot be had; otherwise returns the binary and the environment the app runs with.
 * @param {string} instead what to run where there is no Electron binary
 * @returns {{ binary: string, env: NodeJS.ProcessEnv }}
 */
export function prepareElectronOrExit(instead) {
  const electron = ensureElectronBinary(Number(process.env.SEQLAB_ELECTRON_INSTALL_TIMEOUT_MS ?? 60_000));
  if ('error' in electron) {
    console.error(`SeqLab: the Electron binary is not installed and cannot be downloaded here (${electron.error}). ${instead}`);
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
  return { binary: electron.path, env };
}

/**
 * Runs a child with the terminal's signals passed on, and exits with its status.
 * @param {import('node:child_process').ChildProcess} child
 */
export function exitWithChild(child) {
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
