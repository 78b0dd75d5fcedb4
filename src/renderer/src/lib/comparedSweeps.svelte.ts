// The sweeps the Decay curves view compares, kept while the user visits other views.
export const comparedSweeps = $state<{ ids: number[] }>({ ids: [] });
