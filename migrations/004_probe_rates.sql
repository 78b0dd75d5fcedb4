-- SeqLab lab file, schema version 4: per finished probe, the exact asymptotic rate of its loss
-- step's backward pass (the top finite-time Lyapunov exponents, src/engine/lyapunov.ts) and the
-- rates the theory predicts (src/engine/theory.ts), all in decades per step. Beside the curves in
-- probe_results, so a merge copies them with the curves. NULL: not computed (a probe finished
-- before this version, or an architecture the Lyapunov pass does not cover) or not applicable
-- (mean_field and pmb_bound: RNN only; cell_path: LSTM only). -Infinity (a REAL) is an exact 0.

ALTER TABLE probe_results ADD COLUMN lyapunov_top REAL;
-- The k exponents of the sequence with the largest: (k) little-endian float64, as the curves.
ALTER TABLE probe_results ADD COLUMN lyapunov_spectrum BLOB;
ALTER TABLE probe_results ADD COLUMN mean_field REAL;
ALTER TABLE probe_results ADD COLUMN cell_path REAL;
ALTER TABLE probe_results ADD COLUMN pmb_bound REAL;
