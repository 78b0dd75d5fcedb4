-- SeqLab lab file, schema version 6: a sweep may compute only some of the five norms (the spec's
-- "norms", issue 9), so every norm's blob may be NULL: not computed (dc also for a non-LSTM
-- probe, as before). SQLite cannot drop a NOT NULL constraint in place, so probe_results is
-- rebuilt with the same columns (001's and 004's) and every row copied as it is. Nothing
-- references probe_results, so dropping the old table cascades nowhere; the new one keeps the
-- foreign key to probes.

CREATE TABLE probe_results_v6 (
  probe_id          INTEGER PRIMARY KEY REFERENCES probes (id) ON DELETE CASCADE,
  steps             INTEGER NOT NULL,
  dh                BLOB,                   -- NULL: not computed
  dc                BLOB,                   -- NULL: not computed, or not an LSTM
  dWx               BLOB,
  dWh               BLOB,
  db                BLOB,
  lyapunov_top      REAL,
  lyapunov_spectrum BLOB,
  mean_field        REAL,
  cell_path         REAL,
  pmb_bound         REAL
);

INSERT INTO probe_results_v6 (probe_id, steps, dh, dc, dWx, dWh, db, lyapunov_top, lyapunov_spectrum, mean_field, cell_path,
                              pmb_bound)
SELECT probe_id, steps, dh, dc, dWx, dWh, db, lyapunov_top, lyapunov_spectrum, mean_field, cell_path, pmb_bound
FROM probe_results;

DROP TABLE probe_results;
ALTER TABLE probe_results_v6 RENAME TO probe_results;
