// A real single-node Slurm cluster for tests: Debian's slurm-wlm and munge (`.ci/run` installs
// them), a slurm.conf for this one host in a temporary folder, slurmctld and slurmd started as
// root on ports of their own, and SLURM_CONF for the commands under test. Accounting is off, as
// on many small clusters. stop() cancels what is left and stops the daemons by their pid files;
// munged is stopped too if this harness started it.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface RealSlurm {
  /** The slurm.conf: give it to commands as SLURM_CONF. */
  conf: string;
  /** The environment to run Slurm's commands (and SeqLab's) in. */
  env: NodeJS.ProcessEnv;
  dir: string;
  node: string;
  cpus: number;
  /**
   * Restarts both daemons with their state cleared, as if Slurm had forgotten every job (after
   * MinJobAge); new job ids do not repeat old ones.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const MUNGE_KEY = '/etc/munge/munge.key';
const MUNGE_RUN = '/run/munge';
const MUNGED_PID = join(MUNGE_RUN, 'munged.pid');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a command is: on PATH, or in sbin (the daemons), which a user's PATH may lack. */
function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const mungeWorks = (): boolean => {
  const cred = spawnSync('munge', ['-n'], { encoding: 'utf8' });
  return cred.status === 0 && spawnSync('unmunge', [], { input: cred.stdout, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
};

/** Starts munged as the munge user (it refuses to run as root); true if this call started it. */
async function ensureMunge(munged: string, runuser: string): Promise<boolean> {
  if (mungeWorks()) return false;
  const munge = Number(execFileSync('id', ['-u', 'munge'], { encoding: 'utf8' }).trim());
  const group = Number(execFileSync('id', ['-g', 'munge'], { encoding: 'utf8' }).trim());
  for (const d of [MUNGE_RUN, '/var/log/munge', '/var/lib/munge', '/etc/munge']) {
    mkdirSync(d, { recursive: true });
    chownSync(d, munge, group);
  }
  if (!existsSync(MUNGE_KEY)) {
    writeFileSync(MUNGE_KEY, randomBytes(1024), { mode: 0o400 });
    chownSync(MUNGE_KEY, munge, group);
    chmodSync(MUNGE_KEY, 0o400);
  }
  const r = spawnSync(runuser, ['-u', 'munge', '--', munged], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`munged did not start: ${r.stderr.trim()}`);
  for (let i = 0; i < 50 && !mungeWorks(); i++) await sleep(100);
  if (!mungeWorks()) throw new Error('munged started but `munge -n | unmunge` fails');
  return true;
}

async function stopByPidFile(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!(pid > 0)) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(); i++) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
}

/** A running one-node cluster, or why there can be none here (one line). */
export async function startRealSlurm(): Promise<RealSlurm | { skip: string }> {
  const tools = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scancel', 'munged', 'munge', 'unmunge', 'runuser'];
  const missing = tools.filter((c) => !which(c));
  if (missing.length) return { skip: `Slurm is not installed (no ${missing.join(', ')}; apt-get install slurm-wlm munge)` };
  const [slurmctld, slurmd, munged, runuser] = ['slurmctld', 'slurmd', 'munged', 'runuser'].map((c) => which(c)!);
  if (process.getuid?.() !== 0) return { skip: 'starting slurmctld and slurmd needs root' };

  let startedMunge: boolean;
  try {
    startedMunge = await ensureMunge(munged, runuser);
  } catch (err) {
    return { skip: (err as Error).message };
  }
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-slurm-'));
  // Slurm matches its hosts by short name; the loopback address spares any name resolution.
  const node = hostname().split('.')[0];
  const cpus = availableParallelism();
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  for (const d of ['state', 'spool', 'log']) mkdirSync(join(dir, d));
  const writeConf = (firstJobId: number): void =>
    writeFileSync(
      conf,
      [
        'ClusterName=seqlabtest',
        `SlurmctldHost=${node}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        'AuthType=auth/munge',
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'ReturnToService=2',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'MpiDefault=none',
        // Cancelled jobs get SIGTERM, then SIGKILL this many seconds later (default 30).
        'KillWait=5',
        // Schedule pending jobs as soon as others end (the main loop waits 2 s by default).
        'SchedulerParameters=sched_min_interval=100000',
        `FirstJobId=${firstJobId}`,
        `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
        'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
  const env = { ...process.env, SLURM_CONF: conf };

  const stopDaemons = async (): Promise<void> => {
    // Jobs outlive slurmd (their slurmstepd goes on): cancel them first.
    spawnSync('scancel', ['--user', userInfo().username], { env, stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const q = spawnSync('squeue', ['--noheader', '--format=%i'], { env, encoding: 'utf8' });
      if (q.status !== 0 || q.stdout.trim() === '') break;
      await sleep(100);
    }
    await stopByPidFile(join(dir, 'slurmd.pid'));
    await stopByPidFile(join(dir, 'slurmctld.pid'));
  };
  /** Why the daemons did not come up, or null once the node is idle. */
  const startDaemons = async (): Promise<string | null> => {
    const ctld = spawnSync(slurmctld, ['-f', conf, '-c'], { env, encoding: 'utf8' });
    const nodeDaemon = ctld.status === 0 ? spawnSync(slurmd, ['-f', conf, '-N', node], { env, encoding: 'utf8' }) : null;
    if (ctld.status !== 0 || nodeDaemon?.status !== 0)
      return `Slurm's daemons did not start: ${(ctld.stderr || nodeDaemon?.stderr || '').trim().split('\n')[0]}`;
    for (let i = 0; i < 100; i++) {
      const s = spawnSync('sinfo', ['--noheader', '--format=%T'], { env, encoding: 'utf8' });
      if (s.stdout.trim() === 'idle') return null;
      await sleep(100);
    }
    const log = readFileSync(join(dir, 'log', 'slurmctld.log'), 'utf8')
      .trim()
      .split('\n')
      .slice(-1)[0];
    return `the Slurm node did not become idle within 10 s (${log})`;
  };
  const stop = async (): Promise<void> => {
    await stopDaemons();
    if (startedMunge) await stopByPidFile(MUNGED_PID);
    if (!process.env.SEQLAB_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  };
  let firstJobId = 1;
  const restart = async (): Promise<void> => {
    await stopDaemons();
    firstJobId += 1000;
    writeConf(firstJobId);
    const problem = await startDaemons();
    if (problem) throw new Error(problem);
  };

  writeConf(firstJobId);
  const problem = await startDaemons();
  if (problem) {
    await stop();
    return { skip: problem };
  }
  return { conf, env, dir, node, cpus, restart, stop };
}

/** The #SBATCH options of a job script, in order, as "--name=value" strings (as sbatch reads them). */
export function sbatchDirectives(script: string): string[] {
  return script
    .split('\n')
    .filter((l) => l.startsWith('#SBATCH '))
    .map((l) => l.slice('#SBATCH '.length).trim());
}
