// `npm run soak`: the lab server under load while it is killed. A sweep runs on a `seqlab serve`
// process while clients make calls, read event streams, download the CSV and send hostile
// requests; the server is killed with SIGKILL mid-sweep KILLS times (its workers die with it) and
// restarted on the same file each time, where it resumes the sweep. At the end the CSV must equal
// the CSV of the same spec run without interruption: no row lost, none stored twice. Prints
// requests served, kills survived, rows lost or duplicated, call latency and peak memory.
//
// Bounded: KILLS kills, and everything stops by itself after DEADLINE_S seconds (exit 1 then).
// Loopback only (127.0.0.1). A measurement: run it on a quiet machine. Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildIfStale } from '../test/builds';
import { shippedBuild } from '../../src/lab/testing/appBuilds';
import { compareExports } from './compareExports';
import { isAlive, rssKiB, startServe, type ServeProcess } from './labServerProcess';
import { LoadMix } from './loadMix';

const KILLS = Number(process.env.SEQLAB_SOAK_KILLS ?? 5);
const DEADLINE_S = 120;
const WORKERS = 2;
/** About 10 s of probes on two workers here (192 probes, 53,248 CSV rows). */
const SPEC = {
  name: 'soak',
  archs: ['rnn', 'lstm'],
  T: [64, 256, 512],
  forgetBias: [0, 1, 2],
  seeds: { count: 16 },
  N: 16,
  D: 16,
  H: 128,
};
const CLIENTS = { calls: 6, eventStreams: 3, downloads: 1, hostile: 1 };

const root = join(import.meta.dirname, '..', '..');
const cli = shippedBuild(root).cli;
const started = Date.now();
const elapsed = (): number => (Date.now() - started) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const fmt = (n: number): string => n.toLocaleString('en-US');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

function deadlineLeft(): number {
  const left = DEADLINE_S - elapsed();
  if (left <= 0) throw new Error(`the soak ran past its ${DEADLINE_S} s bound`);
  return left;
}

async function json<T>(url: string, name: string, arg?: unknown): Promise<T> {
  const res = await fetch(`${url}api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: arg === undefined ? '' : JSON.stringify(arg),
  });
  const r = (await res.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

interface Progress {
  status: string;
  probes: { total: number; done: number; failed: number };
}

async function main(): Promise<number> {
  buildIfStale('shipped');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-soak-'));
  // Whatever happens, no server (or its workers) outlives the soak.
  let server: ServeProcess | null = null;
  let load: LoadMix | null = null;
  try {
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(SPEC));

    // The reference: the same spec, start to finish, no interruption.
    const t0 = Date.now();
    const ref = spawnSync(
      process.execPath,
      [cli, 'sweep', specFile, '--db', join(dir, 'reference.sqlite'), '--workers', String(WORKERS)],
      {
        encoding: 'utf8',
        timeout: deadlineLeft() * 1000,
      },
    );
    if (ref.status !== 0) throw new Error(`the reference run failed: ${ref.stderr}`);
    const refSeconds = (Date.now() - t0) / 1000;
    const refCsvPath = join(dir, 'reference.csv');
    const refExport = spawnSync(process.execPath, [cli, 'export', '--db', join(dir, 'reference.sqlite'), '--out', refCsvPath], {
      encoding: 'utf8',
    });
    if (refExport.status !== 0) throw new Error(`the reference export failed: ${refExport.stderr}`);
    const referenceCsv = readFileSync(refCsvPath, 'utf8');

    // The soak.
    const db = join(dir, 'soak.sqlite');
    const soakStart = Date.now();
    server = await startServe(cli, db, WORKERS);
    let sweepId: number | null = null;
    load = new LoadMix(() => sweepId);
    load.retarget(server.url);
    load.start(CLIENTS);
    const queued = await json<{ id: number; probes: { total: number } }>(server.url, 'queueSweep', SPEC);
    sweepId = queued.id;
    const total = queued.probes.total;

    let peakServerKiB = 0;
    let peakWorkerKiB = 0;
    const sampler = setInterval(() => {
      if (!server) return;
      peakServerKiB = Math.max(peakServerKiB, server.peakRssKiB());
      for (const w of server.workerPids()) peakWorkerKiB = Math.max(peakWorkerKiB, rssKiB(w));
    }, 100);

    let kills = 0;
    let survived = 0;
    let orphans = 0;
    let lostCommitted = 0;
    let progress: Progress = { status: 'queued', probes: { total, done: 0, failed: 0 } };
    while (progress.status !== 'done' && progress.status !== 'failed') {
      deadlineLeft();
      await sleep(100);
      try {
        progress = (await json<{ summary: Progress }>(server.url, 'getSweep', sweepId)).summary;
      } catch {
        continue; // restarting
      }
      // Kill i lands once (i / (KILLS + 1)) of the sweep is done: every kill is mid-sweep.
      if (kills < KILLS && progress.probes.done >= ((kills + 1) / (KILLS + 1)) * total && progress.status !== 'done') {
        const workers = server.workerPids();
        const doneBefore = progress.probes.done;
        peakServerKiB = Math.max(peakServerKiB, server.peakRssKiB());
        load.retarget(null);
        await server.kill9();
        kills++;
        server = await startServe(cli, db, WORKERS);
        load.retarget(server.url);
        const after = (await json<{ summary: Progress }>(server.url, 'getSweep', sweepId)).summary;
        if (after.probes.done >= doneBefore) survived++;
        else lostCommitted += doneBefore - after.probes.done;
        await sleep(1000);
        orphans += workers.filter(isAlive).length;
      }
    }
    clearInterval(sampler);
    const soakSeconds = (Date.now() - soakStart) / 1000;
    await sleep(500); // let the streams see the end
    await load.stop();

    const csvRes = await fetch(`${server.url}api/export.csv?sweepIds=${sweepId}`);
    const soakCsv = await csvRes.text();
    const sweeps = await json<unknown[]>(server.url, 'listSweeps');
    peakServerKiB = Math.max(peakServerKiB, server.peakRssKiB());
    await server.stop();
    const integrity = (() => {
      const check = new Database(db, { readonly: true });
      try {
        return check.pragma('integrity_check', { simple: true }) as string;
      } finally {
        check.close();
      }
    })();

    const rows = compareExports(referenceCsv, soakCsv);
    const s = load.stats;
    const lines = [
      `seqlab soak: ${KILLS} kill -9 of the lab server during one sweep of ${total} probes, ${WORKERS} workers, loopback only`,
      `  reference run (uninterrupted)   ${refSeconds.toFixed(1)} s, ${fmt(rows.expectedRows)} CSV rows`,
      `  soak run                        ${soakSeconds.toFixed(1)} s, sweep ${progress.status} (${progress.probes.done}/${total} probes, ${progress.probes.failed} failed)`,
      `  requests served                 ${fmt(s.served)}: ${fmt(s.calls)} calls, ${fmt(s.eventStreams)} event streams (${fmt(s.events)} events), ` +
        `${fmt(s.downloads)} CSV downloads (${fmt(s.abandonedDownloads)} abandoned), ${fmt(s.hostile)} hostile (${fmt(s.hostileRefused)} refused as they must be)`,
      `  requests cut by a kill          ${fmt(s.failed)} (connection refused or reset while the server was down)`,
      `  kills survived                  ${survived}/${kills} (probes already stored and then lost: ${lostCommitted}; workers outliving their server: ${orphans})`,
      `  rows lost / duplicated          ${rows.lost} / ${rows.duplicated} of ${fmt(rows.expectedRows)} (export byte-identical to the uninterrupted run: ${rows.identical ? 'yes' : 'no'})`,
      `  sweeps in the lab               ${sweeps.length} (hostile requests queued nothing: ${sweeps.length === 1 ? 'yes' : 'no'})`,
      `  lab integrity                   ${integrity}`,
      `  call latency                    p50 ${percentile(s.callLatenciesMs, 50).toFixed(1)} ms, p99 ${percentile(s.callLatenciesMs, 99).toFixed(1)} ms (${fmt(s.callLatenciesMs.length)} calls and hostile requests)`,
      `  peak RSS                        lab server ${mib(peakServerKiB)}, one worker ${mib(peakWorkerKiB)}`,
      `  unexpected answers              ${s.unexpected.length}${s.unexpected.length ? `: ${s.unexpected.slice(0, 3).join(' | ')}` : ''}`,
      `  total time                      ${elapsed().toFixed(1)} s (bound ${DEADLINE_S} s)`,
    ];
    console.log(lines.join('\n'));
    const good =
      progress.status === 'done' &&
      kills === KILLS &&
      survived === kills &&
      orphans === 0 &&
      rows.lost === 0 &&
      rows.duplicated === 0 &&
      integrity === 'ok' &&
      sweeps.length === 1 &&
      s.hostile === s.hostileRefused &&
      s.unexpected.length === 0;
    return good ? 0 : 1;
  } finally {
    await load?.stop();
    await server?.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`seqlab soak: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
