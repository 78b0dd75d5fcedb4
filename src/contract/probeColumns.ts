// The columns that say which probe a row is about, in the one order and spelling the tidy CSV
// export and `seqlab summary` share (a notebook joins the two files on them).
export const PROBE_CONFIG_COLUMNS = [
  'probe_id',
  'arch',
  'T',
  'forget_bias',
  'seed',
  'N',
  'D',
  'H',
  'init',
  'wh_gain',
  'h0_scale',
  'b_scale',
  'loss_step',
] as const;

/** A probe's row in either file: the sweep it belongs to (its id: two sweeps may share a name), then the probe. */
export const PROBE_KEY_COLUMNS = ['sweep_id', ...PROBE_CONFIG_COLUMNS] as const;
