-- SeqLab lab file, schema version 2: each probe's work, for the queue's biggest-first order.
-- The value is probeWork(config) from src/engine/probeCost.ts, written by the store when it
-- queues the probe, so no SQL restates the cost formula; probes queued under schema 1 get it
-- from the store (fillMissingWork) the next time a runner opens the file.

ALTER TABLE probes ADD COLUMN work REAL;

-- The runner's "next queued probes of these sweeps, biggest first" in index order.
CREATE INDEX probes_queue ON probes (status, sweep_id, work DESC, idx);
