// What reproduces for a chaotic probe (issue 10, item 6): said once, shown wherever a probe is
// flagged (the Summary table, the probe detail of the Connectivity view).

/** A probe is chaotic when the top Lyapunov exponent of its forward dynamics is positive (it equals the backward product's). */
export const isChaotic = (lyapunovTop: number | null | undefined): boolean => typeof lyapunovTop === 'number' && lyapunovTop > 0;

export const CHAOTIC_NOTE =
  'Chaotic: the top Lyapunov exponent is positive, so two float64 implementations (SeqLab and a numpy notebook, say) ' +
  'follow trajectories that part within a few dozen steps. Only statistics reproduce for it (rates and horizons over ' +
  'seeds), not the per-step values.';
