// `seqlab k8s job`: the printed manifests are checked against the batch/v1 Job fields the API
// server requires (a schema, not string matching), and then run as their pods would run them:
// each pod's command by sh with the index Kubernetes gives it, on a folder standing for the
// claim, one shard (the one holding a probe made to hang, through the test build's hook) killed
// -9 in its PID namespace and restarted in a fresh one (where it has the dead one's pid), then
// the merge Job's command. The merged lab exports what the unsharded sweep
// exports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { k8sJobSchema, type K8sJob } from '../../cluster/k8sJobSchema';
import { CLI, TEST_HOOKS_CLI, countRows, tempDir, waitUntil } from '../../lab/testing/labTestSupport';

const SPEC = {
  name: 'Forget bias: k8s',
  archs: ['rnn', 'lstm'],
  T: [1000, 3000],
  forgetBias: [-1, 0, 1, 2],
  seeds: { count: 2 },
  N: 8,
  D: 4,
  H: 32,
};
const SHARDS = 3;
/** Small probes: the pods' test runs in seconds. */
const POD_SPEC = {
  name: 'pods',
  archs: ['rnn', 'lstm'],
  T: [16, 48],
  forgetBias: [-1, 0, 2],
  seeds: { count: 2 },
  N: 3,
  D: 2,
  H: 5,
};

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function manifests(args: string[]): K8sJob[] {
  const r = cli(['k8s', 'job', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout).map((doc) => {
    expect(doc.errors).toEqual([]);
    // Every field the API server requires, with its type and allowed values; no unknown field.
    return k8sJobSchema.parse(doc.toJS());
  });
}

const unshareWorks = (): string | null => {
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
  return r.error
    ? `unshare is not available (${r.error.message})`
    : r.status === 0
      ? null
      : `unshare --pid fails here (${r.stderr.trim()})`;
};

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('seqlab k8s job', () => {
  it('prints an Indexed Job (shard from JOB_COMPLETION_INDEX, part files on the claim) and a merge Job, as valid batch/v1 Jobs', () => {
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    const [shards, merge, ...rest] = manifests([
      spec,
      '--shards',
      '16',
      '--image',
      'registry.example/seqlab:1',
      '--pvc',
      'seqlab-out',
      '--cpus',
      '4',
      '--parallelism',
      '8',
    ]);
    expect(rest).toEqual([]);
    expect(shards.metadata.name).toBe('seqlab-forget-bias-k8s-shards');
    expect(shards.spec).toMatchObject({ completions: 16, parallelism: 8, completionMode: 'Indexed' });
    const pod = shards.spec.template.spec;
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(pod.volumes).toEqual([{ name: 'lab', persistentVolumeClaim: { claimName: 'seqlab-out' } }]);
    const [container] = pod.containers;
    expect(container).toMatchObject({
      image: 'registry.example/seqlab:1',
      resources: { requests: { cpu: '4' } },
      volumeMounts: [{ name: 'lab', mountPath: '/data' }],
    });
    expect(JSON.parse(container.env!.find((e) => e.name === 'SEQLAB_SPEC')!.value!)).toEqual(SPEC);
    expect(container.command!.slice(0, 2)).toEqual(['sh', '-c']);
    expect(container.command![2]).toMatch(/JOB_COMPLETION_INDEX \+ 1/);

    expect(merge.metadata.name).toBe('seqlab-forget-bias-k8s-merge');
    expect(merge.spec.completionMode).toBeUndefined();
    expect(merge.spec.template.spec.hostname).toBe('seqlab-forget-bias-k8s-merge');
    expect(merge.spec.template.spec.volumes).toEqual(pod.volumes);

    // One Job alone, for applying the merge once the shards have completed.
    expect(
      manifests([spec, '--shards', '16', '--image', 'i', '--pvc', 'c', '--only', 'merge']).map((j) => j.metadata.name),
    ).toEqual(['seqlab-forget-bias-k8s-merge']);
  });

  it('refuses a bad spec as `sweep` does, and bad flags naming them', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', T: [0], archs: ['transformer'] }));
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    const base = ['--image', 'i', '--pvc', 'c'];
    const cases: [string[], RegExp][] = [
      [
        [bad, '--shards', '2', ...base],
        /bad\.json: (?=.*T\.0: T must be an integer in \[1, 1000000\]; got 0)(?=.*archs\.0: archs may contain only)/,
      ],
      [[spec, '--shards', '0', ...base], /--shards must be an integer in \[1, 100000\], got "0"/],
      [[spec, '--shards', '0x10', ...base], /--shards must be an integer in \[1, 100000\], got "0x10"/],
      [[spec, '--shards', '2', ...base, '--db', '../lab.sqlite'], /--db \.\.\/lab\.sqlite: must be a path inside the claim/],
      [[spec, '--shards', '2', ...base, '--name', 'Not_A_Name'], /--name Not_A_Name: must be lowercase letters/],
      [[spec, '--shards', '2', ...base, '--only', 'both'], /--only must be shards or merge/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['k8s', 'job', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('runs as its pods would: shards by index on the claim (one killed -9 and restarted in a fresh PID namespace resumes), then the merge; the lab exports what the unsharded sweep exports', async (ctx) => {
    const why = unshareWorks();
    if (why) {
      console.log(`[k8sCommand] skipped: ${why}`);
      ctx.skip();
    }
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(POD_SPEC));
    const claim = join(dir, 'claim');
    // The test build, so that one probe can hang (once): its shard is the one killed.
    const seqlab = `${process.execPath} ${TEST_HOOKS_CLI}`;
    const hook = join(dir, 'hook.json');
    writeFileSync(hook, JSON.stringify({ match: { arch: 'lstm', T: 48, forgetBias: 2, seed: 2 }, mode: 'hang', once: true }));
    const [shards, merge] = manifests([
      spec,
      '--shards',
      String(SHARDS),
      '--image',
      'i',
      '--pvc',
      'c',
      '--mount',
      claim,
      '--seqlab',
      seqlab,
      '--cpus',
      '1',
    ]);
    const container = shards.spec.template.spec.containers[0];
    const podEnv = (index: number): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      TMPDIR: dir,
      SEQLAB_TEST_FAIL_FILE: hook,
      JOB_COMPLETION_INDEX: String(index),
      ...Object.fromEntries(container.env!.map((e) => [e.name, e.value])),
    });
    const [cmd, ...args] = container.command!;
    // A pod: its own PID namespace, the container's command as its first process.
    const pod = (index: number) => {
      const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', cmd, ...args], {
        env: podEnv(index),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; stderr: string }>((r) => child.on('exit', (code) => r({ code, stderr })));
      const pod = { index, child, exited, over: false };
      void exited.then(() => (pod.over = true));
      return pod;
    };

    const pods = [0, 1, 2].map(pod);
    await waitUntil(
      () => existsSync(`${hook}.fired`) && pods.filter((p) => p.over).length === SHARDS - 1,
      60_000,
      'two shards to finish and one to hang',
    );
    for (const p of pods.filter((p) => p.over)) expect((await p.exited).code, (await p.exited).stderr).toBe(0);
    // The hung shard's pod is killed, as a node failure or an OOM kill would: kill -9 of the
    // namespace's first process takes everything in it.
    const victim = pods.find((p) => !p.over)!;
    const part = join(claim, 'lab.sqlite.k8s', `part-${victim.index + 1}.sqlite`);
    const first = Number(
      readFileSync(`/proc/${victim.child.pid}/task/${victim.child.pid}/children`, 'utf8').trim().split(/\s+/)[0],
    );
    process.kill(first, 'SIGKILL');
    await victim.exited;
    const stopped = countRows(part, `SELECT count(*) AS n FROM probes WHERE status = 'done'`);
    expect(countRows(part, `SELECT count(*) AS n FROM probes WHERE status = 'running'`)).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(`${part}.lock`, 'utf8')).pid).toBe(1); // the dead shard's lock names pid 1

    // Restarted in a fresh namespace (pid 1 again), the shard resumes its part file.
    const restarted = await pod(victim.index).exited;
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).toMatch(new RegExp(`resuming sweep 1 .*\\(${stopped}/`));

    const [mcmd, ...margs] = merge.spec.template.spec.containers[0].command!;
    const merged = spawnSync(mcmd, margs, { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(merged.status, merged.stderr).toBe(0);

    const whole = join(dir, 'whole.sqlite');
    expect(cli(['sweep', spec, '--db', whole, '--workers', '1']).code).toBe(0);
    const csv = (lab: string): string => {
      const out = `${lab}.csv`;
      expect(cli(['export', '--db', lab, '--out', out]).code).toBe(0);
      return readFileSync(out, 'utf8');
    };
    expect(csv(join(claim, 'lab.sqlite'))).toBe(csv(whole));
  }, 240_000);
});
