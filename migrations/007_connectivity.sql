-- SeqLab lab file, schema version 7: a finished probe's connectivity table (issue 10), computed
-- on demand: log10 ||dL_t/dh_k|| and the other norms for every pair of a loss step t and a step
-- k <= t (src/lab/connectivity.ts). Up to CONNECTIVITY_GRID_MAX (src/contract/connectivity.ts)
-- loss steps and steps, evenly spaced over 0..T-1, the same ones for t and for k. Beside the probe, deleted with it.
CREATE TABLE connectivity_tables (
  probe_id    INTEGER PRIMARY KEY REFERENCES probes (id) ON DELETE CASCADE,
  -- The sampled steps, (n) little-endian float64 integers: loss steps t (rows) and steps k (columns).
  steps       BLOB    NOT NULL,
  -- Per norm, (n x n) little-endian float64 log10 values row by row (row t, column k):
  -- -Infinity an exact 0, NaN where k > t (no gradient from a later step). NULL: not computed
  -- (dc of the RNN).
  dh          BLOB,
  dc          BLOB,
  dWx         BLOB,
  dWh         BLOB,
  db          BLOB,
  seconds     REAL    NOT NULL,
  computed_at TEXT    NOT NULL
);
