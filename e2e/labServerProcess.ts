// Starts the built lab server (`node out/main/cli.js serve`) as a child process and reads the
// URL it prints, as a user would. With `testHooks`, the test build's (out-test/main/cli.js): the
// same code plus the test hooks (chart descriptions on window.__seqlabCharts, the worker's
// SEQLAB_TEST_FAIL_FILE; see src/lab/testing/appBuilds.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { shippedBuild, testBuild } from '../src/lab/testing/appBuilds';

export const ROOT = resolve(import.meta.dirname, '..');

export interface RunningServer {
  url: string;
  origin: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  env?: NodeJS.ProcessEnv;
  /** Run the test build, whose pages publish their charts and whose workers read SEQLAB_TEST_FAIL_FILE. */
  testHooks?: boolean;
}

export async function startServeProcess(dbPath: string, extra: string[] = [], opts: ServeOptions = {}): Promise<RunningServer> {
  const cli = (opts.testHooks ? testBuild(ROOT) : shippedBuild(ROOT)).cli;
  const proc = spawn(process.execPath, [cli, 'serve', '--db', dbPath, '--workers', '2', ...extra], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab server did not print a URL within 20 s:\n${out}`)), 20_000);
    const check = (): void => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
