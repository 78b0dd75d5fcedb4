// The batch/v1 Job as the Kubernetes API server validates it, for the fields SeqLab's manifests
// use (Kubernetes API reference: Job, JobSpec, PodTemplateSpec, PodSpec, Container, Volume, and
// the Job validation rules). Objects are strict, as `kubectl apply` is by default (an unknown
// field is an error), so a misspelt field fails here as it would there.
import { z } from 'zod';

/** RFC 1123 label: pod hostnames, container, volume and (for Jobs, whose name is a label value) Job names. */
const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 label');

/** Label keys and values (the parts Kubernetes allows; prefixes are DNS subdomains). */
const labels = z.record(
  z.string().regex(/^([a-z0-9.-]{1,253}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/),
  z.string().regex(/^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/),
);

const objectMeta = z.strictObject({
  name: dnsLabel,
  namespace: dnsLabel.optional(),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A resource quantity such as "4", "500m", "2Gi". */
const quantity = z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munkMGTPE])?$/);

const envVar = z.strictObject({
  name: z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/),
  value: z.string().optional(),
});

const volumeMount = z.strictObject({
  name: dnsLabel,
  mountPath: z.string().startsWith('/'),
  readOnly: z.boolean().optional(),
});

const container = z.strictObject({
  name: dnsLabel,
  image: z.string().min(1),
  command: z.array(z.string()).min(1).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  env: z.array(envVar).optional(),
  volumeMounts: z.array(volumeMount).optional(),
  resources: z
    .strictObject({ requests: z.record(z.string(), quantity).optional(), limits: z.record(z.string(), quantity).optional() })
    .optional(),
});

const volume = z.strictObject({
  name: dnsLabel,
  persistentVolumeClaim: z.strictObject({ claimName: z.string().min(1), readOnly: z.boolean().optional() }),
});

const podSpec = z
  .strictObject({
    // A Job's pods must not be restarted forever: Always is refused for Jobs.
    restartPolicy: z.enum(['OnFailure', 'Never']),
    hostname: dnsLabel.optional(),
    containers: z.array(container).min(1),
    volumes: z.array(volume).optional(),
  })
  .superRefine((spec, ctx) => {
    const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
    spec.containers.forEach((c, i) =>
      (c.volumeMounts ?? []).forEach((m, j) => {
        if (!volumes.has(m.name))
          ctx.addIssue({
            code: 'custom',
            path: ['containers', i, 'volumeMounts', j, 'name'],
            message: `no volume named ${m.name}`,
          });
      }),
    );
  });

const jobSpec = z
  .strictObject({
    completions: z.number().int().min(0).optional(),
    parallelism: z.number().int().min(0).optional(),
    completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
    backoffLimit: z.number().int().min(0).optional(),
    template: z.strictObject({ metadata: z.strictObject({ labels: labels.optional() }).optional(), spec: podSpec }),
  })
  .superRefine((spec, ctx) => {
    if (spec.completionMode !== 'Indexed') return;
    if (spec.completions === undefined)
      ctx.addIssue({ code: 'custom', path: ['completions'], message: 'an Indexed Job needs completions' });
    else if (spec.completions > 100_000)
      ctx.addIssue({ code: 'custom', path: ['completions'], message: 'must be at most 100000 for an Indexed Job' });
    if ((spec.parallelism ?? 1) > 100_000)
      ctx.addIssue({ code: 'custom', path: ['parallelism'], message: 'must be at most 100000 for an Indexed Job' });
  });

export const k8sJobSchema = z.strictObject({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: objectMeta,
  spec: jobSpec,
});

export type K8sJob = z.infer<typeof k8sJobSchema>;
