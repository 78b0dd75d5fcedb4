// One `seqlab serve` process of the soak (the built CLI, loopback only): started, its URL read
// from what it prints, its memory and its worker processes read from /proc, and killed with
// SIGKILL as a crash would.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ServeProcess {
  url: string;
  pid: number;
  /** Peak resident memory of the server process so far (VmHWM), in KiB. */
  peakRssKiB(): number;
  /** The probe workers it has started (its child processes) right now. */
  workerPids(): number[];
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export const rssKiB = (pid: number): number => statusField(pid, 'VmRSS');
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

export async function startServe(cli: string, dbPath: string, workers: number): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--db', dbPath, '--workers', String(workers), '--port', '0', '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`seqlab serve printed no URL in 30 s:\n${output}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}\/)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`seqlab serve exited (${code ?? signal}) before printing its URL:\n${output}`));
    });
  });
  const pid = child.pid!;
  let peak = 0;
  return {
    url,
    pid,
    peakRssKiB: () => (peak = Math.max(peak, statusField(pid, 'VmHWM'))),
    workerPids: () => childrenOf(pid),
    async kill9() {
      peak = Math.max(peak, statusField(pid, 'VmHWM'));
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      peak = Math.max(peak, statusField(pid, 'VmHWM'));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
