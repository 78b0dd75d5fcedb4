// Slurm's own commands, run as the user runs them: the user's environment (SLURM_CONF, PATH)
// passes through unchanged, and their answers are parsed from the machine-readable forms
// (sbatch --parsable, squeue/sacct with a fixed format).
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

export class SlurmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmError';
  }
}

/** A job's state as Slurm names it (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...). */
export interface JobState {
  state: string;
  /** Why it waits or ended (squeue's reason), when Slurm says. */
  reason?: string;
}

/** Job ids as Slurm prints them: "12" for a job, "12_3" for task 3 of array job 12. */
export type JobStates = Map<string, JobState>;

/** States after which a job will not run again by itself. */
const ENDED = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'SPECIAL_EXIT',
]);

export const hasEnded = (s: JobState): boolean => ENDED.has(s.state);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: process.env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') {
        reject(new SlurmError(`${command} is not on PATH: run this where Slurm's commands are installed (a login node)`));
        return;
      }
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code: status, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const firstLine = (s: string): string => s.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';

/** Submits a job script; resolves to its job id. */
export async function sbatch(script: string, args: string[] = []): Promise<string> {
  const r = await run('sbatch', ['--parsable', ...args, script]);
  const id = /^(\d+)(;\S+)?$/.exec(r.stdout.trim())?.[1];
  if (r.code !== 0 || !id)
    throw new SlurmError(`sbatch ${script} failed: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.code}`}`);
  return id;
}

/** Each "id|state|reason" line of squeue or sacct. */
function parseStates(stdout: string): JobStates {
  const states: JobStates = new Map();
  for (const line of stdout.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (!id || !state) continue;
    // sacct says "CANCELLED by 0"; squeue's reason "None" says nothing.
    states.set(id, { state: state.split(' ')[0], ...(reason && reason !== 'None' ? { reason } : {}) });
  }
  return states;
}

/**
 * What the controller knows of the user's jobs, array tasks one by one, ended ones included for as
 * long as it keeps them (MinJobAge, 5 minutes by default).
 */
export async function squeueStates(): Promise<JobStates> {
  const r = await run('squeue', ['--noheader', '--array', '--states=all', `--user=${userInfo().username}`, '--format=%i|%T|%r']);
  if (r.code !== 0) throw new SlurmError(`squeue failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  return parseStates(r.stdout);
}

/** The accounting records of these jobs (array tasks by task); null when the cluster keeps no accounting. */
export async function sacctStates(jobIds: string[]): Promise<JobStates | null> {
  if (jobIds.length === 0) return new Map();
  let r: Ran;
  try {
    r = await run('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${jobIds.join(',')}`, '--format=JobID,State']);
  } catch {
    return null;
  }
  // "Slurm accounting storage is disabled", or no database to ask: the queue and the part files tell.
  if (r.code !== 0) return null;
  return parseStates(r.stdout);
}

export async function scancel(jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  const r = await run('scancel', jobIds);
  if (r.code !== 0) throw new SlurmError(`scancel ${jobIds.join(' ')} failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
}
