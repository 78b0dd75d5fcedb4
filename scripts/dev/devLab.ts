// `npm run dev:lab`: work on the UI in a browser, with hot reload, against a real lab.
//
// Starts the lab server (`seqlab serve` from out/, rebuilt first when older than the source) and
// Vite's dev server for src/renderer with the lab server's token as its base path, so the page
// is http://127.0.0.1:5173/<token>/ and the renderer finds the API where it always does
// (/<token>/api/..., proxied to the lab server; httpClient.ts reads the token from the path).
// Edits under src/renderer reload in place; edits to the server or service need a restart.
//
//   npm run dev:lab -- [--db FILE] [--port N]    (default ./seqlab.sqlite, Vite on port 5173)
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer, type UserConfig } from 'vite';
import electronViteConfig from '../../electron.vite.config';
import { buildIfStale } from '../test/builds';

const root = resolve(import.meta.dirname, '..', '..');
const { values: flags } = parseArgs({
  options: { db: { type: 'string', default: 'seqlab.sqlite' }, port: { type: 'string', default: '5173' } },
});
const vitePort = Number(flags.port);
if (!Number.isInteger(vitePort) || vitePort < 0 || vitePort > 65535) {
  console.error(`dev:lab: --port must be an integer in [0, 65535], got ${flags.port}`);
  process.exit(2);
}

buildIfStale('shipped');

const lab = spawn(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', '--db', resolve(flags.db), '--port', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const labUrl = await new Promise<URL>((resolveUrl, reject) => {
  let out = '';
  lab.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const m = /http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}\//.exec(out);
    if (m) resolveUrl(new URL(m[0]));
  });
  lab.on('exit', (code) => reject(new Error(`the lab server exited (code ${code}) before printing its URL:\n${out}`)));
});
lab.stdout.resume(); // keep draining its output
const token = labUrl.pathname.split('/')[1];

const rendererConfig = electronViteConfig.renderer as UserConfig;
const vite = await createServer({
  ...rendererConfig,
  configFile: false,
  base: `/${token}/`,
  server: {
    host: '127.0.0.1',
    port: vitePort,
    strictPort: true,
    // As the lab server's own page: it answers only requests that name it (Host, Origin).
    proxy: { [`/${token}/api`]: { target: labUrl.origin, changeOrigin: true, headers: { origin: labUrl.origin } } },
  },
});
await vite.listen();
console.log(`SeqLab dev lab: renderer from Vite (hot reload), API from the lab server on ${resolve(flags.db)}`);
console.log(`    ${vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${vitePort}/${token}/`}`);

// The lab server goes first and whatever way this process ends: Vite's own SIGTERM handler
// exits the process as soon as Vite has closed.
process.on('exit', () => lab.kill('SIGTERM'));
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  lab.kill('SIGTERM');
  await vite.close();
}
lab.on('exit', (code) => {
  const unexpected = !stopping;
  if (unexpected) console.error(`dev:lab: the lab server exited (code ${code})`);
  void stop().then(() => process.exit(unexpected ? 1 : 0));
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop());
