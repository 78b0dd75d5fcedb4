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
