-- SeqLab lab file, schema version 3: per-sweep probe counts kept by triggers, and sweeps being
-- queued in chunks.
--
-- The runner asks for a sweep's counts after every probe that finishes (to settle the sweep and
-- to report progress); counting its probes each time made a big sweep slower the bigger it was.
-- The triggers below keep the counts in the same statement as each change of a probe's status,
-- whoever makes it (the runner, cancel, retry, recovery after a crash, merge), so they are
-- exact by construction and roll back with it.

CREATE TABLE sweep_counts (
  sweep_id  INTEGER PRIMARY KEY REFERENCES sweeps (id) ON DELETE CASCADE,
  queued    INTEGER NOT NULL DEFAULT 0,
  running   INTEGER NOT NULL DEFAULT 0,
  done      INTEGER NOT NULL DEFAULT 0,
  failed    INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0
);

INSERT INTO sweep_counts (sweep_id, queued, running, done, failed, cancelled)
SELECT s.id,
       (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'queued'),
       (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'running'),
       (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'done'),
       (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'failed'),
       (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'cancelled')
FROM sweeps s;

CREATE TRIGGER sweep_counts_new_sweep AFTER INSERT ON sweeps
BEGIN
  INSERT INTO sweep_counts (sweep_id) VALUES (new.id);
END;

CREATE TRIGGER sweep_counts_new_probe AFTER INSERT ON probes
BEGIN
  UPDATE sweep_counts SET
    queued    = queued    + (new.status = 'queued'),
    running   = running   + (new.status = 'running'),
    done      = done      + (new.status = 'done'),
    failed    = failed    + (new.status = 'failed'),
    cancelled = cancelled + (new.status = 'cancelled')
  WHERE sweep_id = new.sweep_id;
END;

CREATE TRIGGER sweep_counts_probe_status AFTER UPDATE OF status ON probes
WHEN old.status IS NOT new.status
BEGIN
  UPDATE sweep_counts SET
    queued    = queued    + (new.status = 'queued')    - (old.status = 'queued'),
    running   = running   + (new.status = 'running')   - (old.status = 'running'),
    done      = done      + (new.status = 'done')      - (old.status = 'done'),
    failed    = failed    + (new.status = 'failed')    - (old.status = 'failed'),
    cancelled = cancelled + (new.status = 'cancelled') - (old.status = 'cancelled')
  WHERE sweep_id = new.sweep_id;
END;

CREATE TRIGGER sweep_counts_probe_gone AFTER DELETE ON probes
BEGIN
  UPDATE sweep_counts SET
    queued    = queued    - (old.status = 'queued'),
    running   = running   - (old.status = 'running'),
    done      = done      - (old.status = 'done'),
    failed    = failed    - (old.status = 'failed'),
    cancelled = cancelled - (old.status = 'cancelled')
  WHERE sweep_id = old.sweep_id;
END;

-- A sweep whose probes are still being inserted (a chunk per transaction, so that queueing
-- 100,000 probes never holds the event loop): the row goes when the last chunk is in. Such a
-- sweep is never settled; one a runner finds at start lost the process queueing it, and is
-- removed (its queueing call never succeeded).
CREATE TABLE sweep_queueing (
  sweep_id INTEGER PRIMARY KEY REFERENCES sweeps (id) ON DELETE CASCADE,
  probes   INTEGER NOT NULL           -- the probes it has once queued (its shard's, if sharded)
);

-- Every (sweep_id, status) lookup is served by probes_queue (status, sweep_id, ...), and every
-- sweep_id one by the (sweep_id, idx) key; one index less to move on every status change.
DROP INDEX probes_by_status;
