-- SeqLab lab file, schema version 1.
-- Applied by src/core/store/migrate.ts inside one transaction; PRAGMA user_version tracks it.

PRAGMA application_id = 1399156044; -- 'SQLL'

CREATE TABLE sweeps (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  spec_json    TEXT    NOT NULL,            -- the validated spec, defaults filled in
  spec_hash    TEXT    NOT NULL,            -- sha256 of spec_json: same name + same grid
  status       TEXT    NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
  shard_index  INTEGER,                     -- 1-based; NULL = the whole sweep
  shard_count  INTEGER,
  total_probes INTEGER NOT NULL,            -- probes of the full (unsharded) expansion
  created_at   TEXT    NOT NULL,
  started_at   TEXT,
  finished_at  TEXT
);
CREATE INDEX sweeps_by_spec ON sweeps (spec_hash);

CREATE TABLE probes (
  id               INTEGER PRIMARY KEY,
  sweep_id         INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  idx              INTEGER NOT NULL,        -- position in the deterministic expansion (shards: idx % n)
  arch             TEXT    NOT NULL CHECK (arch IN ('rnn', 'lstm')),
  T                INTEGER NOT NULL,
  forget_bias      REAL,                    -- NULL for the RNN
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
  UNIQUE (sweep_id, idx)
);
CREATE INDEX probes_by_status ON probes (sweep_id, status);

-- One row per finished probe; each norm is one BLOB of (loss_step + 1) little-endian float64
-- log10 values (-Infinity = an exact 0). Measured against one row per (probe, step) with
-- scripts/measureResultLayout.ts (200 probes x 1024 steps x 5 norms, WAL, a shared 2-core box):
--   blobs: 0.25 ms to write a probe (one transaction), 26 ms to load 200 dh curves, 8.3 MB;
--   rows:  1.5 ms to write a probe (1024 inserts),   157 ms to load,                12.7 MB.
-- Both are fast enough, but blobs are ~6x cheaper both ways, smaller, and a probe stays one row
-- (trivially all-or-nothing, INSERT OR REPLACE by probe_id). The CSV export unpacks them.
CREATE TABLE probe_results (
  probe_id INTEGER PRIMARY KEY REFERENCES probes (id) ON DELETE CASCADE,
  steps    INTEGER NOT NULL,
  dh       BLOB    NOT NULL,
  dc       BLOB,                            -- NULL for the RNN
  dWx      BLOB    NOT NULL,
  dWh      BLOB    NOT NULL,
  db       BLOB    NOT NULL
);
