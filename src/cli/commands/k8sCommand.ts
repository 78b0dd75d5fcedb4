// `seqlab k8s job spec.json --shards N --image IMAGE --pvc CLAIM`: prints the Kubernetes Jobs
// that run a sweep in N shards on a PersistentVolumeClaim (an Indexed Job) and merge them (a
// second Job, applied once the first has completed), as YAML for `kubectl apply -f -`.
import type { Command } from 'commander';
import { checkClusterSpec } from '../../cluster/clusterSpec';
import { jobNameFor, jobNameProblem, k8sJobs } from '../../cluster/k8sJobs';
import { CliError } from './cliError';
import { intFlag } from './slurmFlags';
import { readSpec, specError } from './sweepCommand';

interface K8sFlags {
  shards: number;
  image: string;
  pvc: string;
  db: string;
  mount: string;
  cpus: number;
  parallelism?: number;
  name?: string;
  namespace?: string;
  seqlab: string;
  only?: 'shards' | 'merge';
}

const SHARDS = { min: 1, max: 100_000 };
const CPUS = { min: 1, max: 256 };

export function registerK8sCommand(program: Command): void {
  const k8s = program.command('k8s').description('run a sweep on Kubernetes');
  k8s
    .command('job')
    .description('print an Indexed Job that runs the sweep in shards on a volume claim, and the Job that merges them')
    .argument('<spec>', 'sweep spec JSON file')
    .requiredOption(
      '--shards <n>',
      `number of shards (pods), in [${SHARDS.min}, ${SHARDS.max}]`,
      intFlag('--shards', SHARDS.min, SHARDS.max),
    )
    .requiredOption('--image <image>', 'container image with SeqLab installed')
    .requiredOption('--pvc <claim>', 'PersistentVolumeClaim for the part files and the lab file')
    .option('--db <file>', 'lab file, relative to the claim (parts go to <file>.k8s/)', 'lab.sqlite')
    .option('--mount <path>', 'where the claim is mounted in the pods', '/data')
    .option('--cpus <n>', 'CPUs per shard pod (and its workers)', intFlag('--cpus', CPUS.min, CPUS.max), 2)
    .option('--parallelism <n>', 'shard pods at once (default: all)', intFlag('--parallelism', 1, SHARDS.max))
    .option('--name <name>', 'base name of the Jobs (default: from the sweep name)')
    .option('--namespace <ns>', 'namespace of the Jobs')
    .option('--seqlab <command>', 'how the image runs SeqLab', 'seqlab')
    .option('--only <job>', 'print only one Job: shards or merge')
    .action(async (specPath: string, flags: K8sFlags) => {
      const checked = checkClusterSpec(readSpec(specPath));
      if (!checked.ok) throw specError(specPath, checked.error);
      if (flags.only !== undefined && flags.only !== 'shards' && flags.only !== 'merge') {
        throw new CliError(`--only must be shards or merge, got ${JSON.stringify(flags.only)}`);
      }
      if (flags.db.startsWith('/') || flags.db.split('/').includes('..') || flags.db.trim() === '') {
        throw new CliError(`--db ${flags.db}: must be a path inside the claim (relative, without ..)`);
      }
      if (!flags.mount.startsWith('/')) throw new CliError(`--mount ${flags.mount}: must be an absolute path`);
      const name = flags.name ?? jobNameFor(checked.value.spec.name);
      const problem = jobNameProblem(name, flags.shards);
      if (problem) throw new CliError(`--name ${name}: ${problem}`);
      const jobs = k8sJobs(checked.value, {
        shards: flags.shards,
        image: flags.image,
        pvc: flags.pvc,
        mountPath: flags.mount,
        db: flags.db,
        cpus: flags.cpus,
        parallelism: flags.parallelism,
        name,
        namespace: flags.namespace,
        seqlab: flags.seqlab,
      });
      const docs = flags.only ? [jobs[flags.only]] : [jobs.shards, jobs.merge];
      // Loaded here, not with the CLI: every other command would pay its 30 ms import.
      const { stringify } = await import('yaml');
      process.stdout.write(docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
    });
}
