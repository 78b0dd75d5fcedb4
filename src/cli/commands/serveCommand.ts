// `seqlab serve`: the lab in a browser. Starts the service and the local lab server and prints
// the URL with its token (as Jupyter does). 127.0.0.1 only unless --host is given.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLabServer } from '../../server/index';
import { CliError, integerFlag } from './cliError';
import { parseWorkers } from './labFlags';

interface ServeFlags {
  db?: string;
  port: number;
  host: string;
  workers?: number;
  renderer?: string;
}

export const DEFAULT_DB_FILE = 'seqlab.sqlite';

/** out/renderer next to the built CLI (out/main/cli.js). */
function defaultRendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', 'renderer');
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the lab to a browser on this machine (prints a URL with an access token)')
    .option('--db <file>', `SQLite database file (default: ./${DEFAULT_DB_FILE})`)
    .option('--port <n>', 'port (0 = any free port)', integerFlag('--port', 0, 65535), 0)
    .option('--host <host>', 'interface to listen on; anything but 127.0.0.1 exposes the lab to the network', '127.0.0.1')
    .option('--workers <n>', "probe worker processes (default: every core; the Queue's Run settings change it)", parseWorkers)
    .option('--renderer <dir>', 'built renderer directory (default: out/renderer)')
    .action(async (flags: ServeFlags) => {
      const rendererDir = resolve(flags.renderer ?? defaultRendererDir());
      if (!existsSync(join(rendererDir, 'index.html'))) {
        throw new CliError(`the renderer is not built (${rendererDir}/index.html missing); run \`npm run build\``);
      }
      const dbPath = resolve(flags.db ?? DEFAULT_DB_FILE);
      const server = await startLabServer({ dbPath, rendererDir, port: flags.port, host: flags.host, workers: flags.workers });
      if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
        console.error(`seqlab: WARNING: listening on ${flags.host}; anyone who can reach it and has the token can use the lab`);
      }
      console.log(
        `SeqLab lab server on ${dbPath}${server.readOnly ? ' (read-only: it is on read-only media; sweeps can be read and exported, not run)' : ''}`,
      );
      console.log('Open this URL in a browser (the token in it is the password):');
      console.log(`    ${server.url}`);
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        console.error('seqlab: stopping the lab server');
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      // Keep running until a signal arrives.
      await new Promise<never>(() => {});
    });
}
