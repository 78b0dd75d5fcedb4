// Managing the sweeps of a lab that runs them: rename, delete, resume a cancelled one, and the
// run settings (how many worker processes). Part of the service (./labService.ts), over its store
// and runner; a lab on read-only media refuses all but getRunSettings (./readOnlyLab.ts).
import { availableParallelism } from 'node:os';
import type { DeletedSweep, LabApi, RunSettings, SweepSummary } from '../contract/labApi';
import { renameRequestSchema, runSettingsChangeSchema, RUN_LIMITS } from '../contract/labArgs';
import { fail, ok, type Result } from '../contract/result';
import type { SweepSpec } from '../contract/sweepSpec';
import { defaultWorkers, type SweepRunner } from './runner/sweepRunner';
import type { LabStore } from './store/labStore';
import { allows, isRunnable } from './store/sweepStatus';
import { specHash } from './sweep/expandSweep';
import { guard, invalid } from './serviceResult';

type WithSweep = <T>(sweepId: unknown, body: (id: number) => Result<T>) => Promise<Result<T>>;

export type SweepManagementCalls = Pick<
  LabApi,
  'renameSweep' | 'deleteSweep' | 'resumeSweep' | 'getRunSettings' | 'setRunSettings'
>;

/** The run settings of a lab with this many workers (and what they are doing). */
export function runSettingsOf(workers: number, activity: RunSettings['activity']): RunSettings {
  return {
    workers,
    defaultWorkers: defaultWorkers(),
    cores: availableParallelism(),
    maxWorkers: RUN_LIMITS.workers.max,
    activity,
  };
}

export function sweepManagementCalls(
  store: LabStore,
  runner: SweepRunner,
  withSweep: WithSweep,
  isClosed: () => boolean,
): SweepManagementCalls {
  const summaryOf = (id: number): Result<SweepSummary> => {
    const s = runner.summary(id);
    return s ? ok(s) : fail('not-found', `no sweep ${id}`);
  };
  const settings = (): RunSettings => runSettingsOf(runner.workers, runner.workerActivity());

  return {
    renameSweep: (request) =>
      guard(() => {
        const parsed = renameRequestSchema.safeParse(request);
        if (!parsed.success) return invalid('invalid rename', parsed.error);
        const { sweepId, name } = parsed.data;
        return withSweep(sweepId, (id) => {
          const row = store.getSweep(id)!;
          // The stored spec carries the name, and its hash is the spec's identity: both follow,
          // so that queueing the renamed spec resumes this sweep.
          const spec: SweepSpec = { ...(JSON.parse(row.spec_json) as SweepSpec), name };
          store.renameSweep(id, name, JSON.stringify(spec), specHash(spec));
          return summaryOf(id);
        });
      }),

    deleteSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const row = store.getSweep(id)!;
        if (isRunnable(row.status))
          return fail('conflict', `sweep ${id} "${row.name}" is ${row.status}; cancel or pause it before deleting it`);
        if (store.counts(id).running > 0)
          return fail('conflict', `sweep ${id} "${row.name}" still has probes running; delete it once they have finished`);
        if (store.queueingTarget(id) !== null) return fail('conflict', `sweep ${id} is still being queued`);
        runner.forget(id);
        return ok<DeletedSweep>({ sweepId: id, ...store.deleteSweepAndVacuum(id) });
      }),

    resumeSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const status = store.getSweep(id)!.status;
        if (status === 'cancelled') {
          runner.reopen(id);
          return summaryOf(id);
        }
        if (!allows(status, 'resume'))
          return fail('conflict', `sweep ${id} is ${status}; only a paused or cancelled sweep can be resumed`);
        runner.resume(id);
        return summaryOf(id);
      }),

    getRunSettings: () => guard(() => (isClosed() ? fail('unavailable', 'the lab is closed') : ok(settings()))),

    setRunSettings: (change) =>
      guard(() => {
        if (isClosed()) return fail('unavailable', 'the lab is closed');
        const parsed = runSettingsChangeSchema.safeParse(change);
        if (!parsed.success) return invalid('invalid run settings', parsed.error);
        runner.setWorkers(parsed.data.workers);
        return ok(settings());
      }),
  };
}
