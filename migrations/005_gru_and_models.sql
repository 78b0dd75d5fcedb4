-- SeqLab lab file, schema version 5: the GRU in sweeps, and the model files a sweep was queued
-- with (issue 14).
--
-- probes.arch gains 'gru'. SQLite cannot alter a CHECK constraint, so probes is rebuilt by its
-- documented procedure: create the new table, copy every row, drop the old one, rename the new
-- one, and recreate what belonged to the old one (migration 002's queue index, migration 003's
-- count triggers). migrate.ts runs migrations with foreign keys off (dropping the old table would
-- otherwise delete every probe_results row through ON DELETE CASCADE) and runs
-- foreign_key_check before the transaction commits. The triggers are not on the new table while
-- the rows are copied, so the counts in sweep_counts stay as they are, which is right: the same
-- probes, with the same statuses.

CREATE TABLE probes_v5 (
  id               INTEGER PRIMARY KEY,
  sweep_id         INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  idx              INTEGER NOT NULL,        -- position in the deterministic expansion (shards: idx % n)
  arch             TEXT    NOT NULL CHECK (arch IN ('rnn', 'lstm', 'gru')),
  T                INTEGER NOT NULL,
  forget_bias      REAL,                    -- NULL for the RNN; the GRU's is its update gate z's
  seed             INTEGER NOT NULL,
  N                INTEGER NOT NULL,
  D                INTEGER NOT NULL,
  H                INTEGER NOT NULL,
  init_scheme      TEXT    NOT NULL,
  wh_gain          REAL    NOT NULL,
  h0_scale         REAL    NOT NULL,
  b_scale          REAL    NOT NULL,
  loss_step        INTEGER NOT NULL,
  config_json      TEXT    NOT NULL,        -- the exact engine ProbeConfig
  status           TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  started_at       TEXT,
  finished_at      TEXT,
  seconds          REAL,
  wh_spectral_norm REAL,
  mean_slope       REAL,
  work             REAL,                    -- migration 002
  UNIQUE (sweep_id, idx)
);

INSERT INTO probes_v5 (id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale,
                       loss_step, config_json, status, attempts, error, started_at, finished_at, seconds,
                       wh_spectral_norm, mean_slope, work)
SELECT id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale,
       loss_step, config_json, status, attempts, error, started_at, finished_at, seconds,
       wh_spectral_norm, mean_slope, work
FROM probes;

DROP TABLE probes;
ALTER TABLE probes_v5 RENAME TO probes;

-- Migration 002's.
CREATE INDEX probes_queue ON probes (status, sweep_id, work DESC, idx);

-- Migration 003's, as they were.
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

-- The weights and inputs files a sweep was queued with (its spec's "weights" / "inputs"): each
-- file's name, ref, shape and SHA-256, as the contract's SweepModelFiles JSON. A runner refuses
-- to run the sweep's probes on a file whose hash is no longer this one.
CREATE TABLE sweep_model_files (
  sweep_id   INTEGER PRIMARY KEY REFERENCES sweeps (id) ON DELETE CASCADE,
  files_json TEXT    NOT NULL
);
