// `seqlab k8s job`: a sweep as two Kubernetes Jobs on one PersistentVolumeClaim. An Indexed Job
// runs shard i = JOB_COMPLETION_INDEX + 1 of N into its own part file on the claim; a merge Job,
// applied once the first has completed, merges the parts into the lab file. The spec travels in
// the manifest itself (an environment variable), so nothing else needs creating first.
//
// A failed pod is restarted in the same pod (restartPolicy OnFailure: a fresh PID namespace,
// where SeqLab often runs as pid 1 again) or replaced by one with the same hostname
// ($(job-name)-$(index)); either way the shard resumes its part file, as the lab lock is a
// kernel lock and the lock file names the same host. The merge Job's pods get a fixed hostname
// for the same reason.
import { shellLine, shellQuote } from './shellQuote';
import { k8sJobSchema, type K8sJob } from './k8sJobSchema';
import { sweepSlug, type CheckedSpec } from './clusterSpec';

export interface K8sJobOptions {
  shards: number;
  image: string;
  /** The PersistentVolumeClaim holding the part files and the lab. */
  pvc: string;
  /** Where the claim is mounted in the pods. */
  mountPath: string;
  /** The lab file, relative to the claim's root. */
  db: string;
  /** CPUs requested per shard pod; the shard runs as many workers. */
  cpus: number;
  /** Shard pods at once (default: all). */
  parallelism?: number;
  /** Base name of the two Jobs. */
  name: string;
  namespace?: string;
  /** How the image runs SeqLab (a shell command prefix, e.g. `seqlab` or `npx seqlab`). */
  seqlab: string;
}

export interface K8sJobs {
  shards: K8sJob;
  merge: K8sJob;
}

const LABEL_APP = 'app.kubernetes.io/name';
const LABEL_PART = 'app.kubernetes.io/component';
const LABEL_INSTANCE = 'app.kubernetes.io/instance';
const VOLUME = 'lab';
const SPEC_ENV = 'SEQLAB_SPEC';

/** The folder of part files beside the lab, as the pods see it. */
export function k8sPartsFolder(opts: Pick<K8sJobOptions, 'mountPath' | 'db'>): string {
  return `${opts.mountPath.replace(/\/+$/, '')}/${opts.db}.k8s`;
}

export const k8sPartFile = (opts: Pick<K8sJobOptions, 'mountPath' | 'db'>, shard: number | string): string =>
  `${k8sPartsFolder(opts)}/part-${shard}.sqlite`;

/** A Job name from a sweep name: lowercase letters, digits and dashes. */
export const jobNameFor = (sweepName: string): string => `seqlab-${sweepSlug(sweepName)}`;

/** Why a base name cannot name the Jobs (the shard pods' hostnames are `<name>-shards-<index>`), or null. */
export function jobNameProblem(name: string, shards: number): string | null {
  const longest = `${name}-shards-${shards - 1}`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    return 'must be lowercase letters, digits and dashes, starting and ending with a letter or digit';
  if (longest.length > 63) return `is too long: the shard pods' hostnames (${longest}) must be at most 63 characters`;
  return null;
}

export function k8sJobs(checked: CheckedSpec, opts: K8sJobOptions): K8sJobs {
  const { shards, mountPath } = opts;
  const labels = (part: string) => ({ [LABEL_APP]: 'seqlab', [LABEL_PART]: part, [LABEL_INSTANCE]: opts.name });
  const volumes = [{ name: VOLUME, persistentVolumeClaim: { claimName: opts.pvc } }];
  const volumeMounts = [{ name: VOLUME, mountPath }];
  const metadata = (part: string) => ({
    name: `${opts.name}-${part}`,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    labels: labels(part),
  });

  // JOB_COMPLETION_INDEX is 0-based; shards are 1-based.
  const shardScript = [
    'set -eu',
    'i=$((JOB_COMPLETION_INDEX + 1))',
    `mkdir -p ${shellQuote(k8sPartsFolder(opts))}`,
    'spec="$(mktemp)"',
    `printf '%s' "$${SPEC_ENV}" > "$spec"`,
    `exec ${opts.seqlab} sweep "$spec" --db ${shellQuote(k8sPartsFolder(opts))}/part-"$i".sqlite --shard "$i/${shards}" --workers ${opts.cpus} --retry-failed`,
  ].join('\n');
  const parts = Array.from({ length: shards }, (_, k) => k8sPartFile(opts, k + 1));
  const mergeScript = `exec ${opts.seqlab} ${shellLine(['merge', ...parts, '--into', `${mountPath.replace(/\/+$/, '')}/${opts.db}`])}`;

  const shardJob: K8sJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata('shards'),
    spec: {
      completions: shards,
      parallelism: Math.min(opts.parallelism ?? shards, shards),
      completionMode: 'Indexed',
      // Retries are counted for the whole Job: a few per shard.
      backoffLimit: 3 * shards,
      template: {
        metadata: { labels: labels('shards') },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'shard',
              image: opts.image,
              command: ['sh', '-c', shardScript],
              env: [{ name: SPEC_ENV, value: JSON.stringify(checked.input) }],
              resources: { requests: { cpu: String(opts.cpus) } },
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const mergeJob: K8sJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata('merge'),
    spec: {
      completions: 1,
      backoffLimit: 3,
      template: {
        metadata: { labels: labels('merge') },
        spec: {
          restartPolicy: 'OnFailure',
          hostname: `${opts.name}-merge`,
          containers: [{ name: 'merge', image: opts.image, command: ['sh', '-c', mergeScript], volumeMounts }],
          volumes,
        },
      },
    },
  };
  // What is printed is what the API server would accept (a fault here is SeqLab's, not the user's).
  return { shards: k8sJobSchema.parse(shardJob), merge: k8sJobSchema.parse(mergeJob) };
}
