// The Summary's notation, said once: the table header and the plot option name the horizon alike.
import { HORIZON_DECADES } from './fit';
import { powerOfTenLabel } from './ticks';

/** "Horizon (steps to fall 10⁻⁶)". */
export const HORIZON_LABEL = `Horizon (steps to fall ${powerOfTenLabel(-HORIZON_DECADES)})`;
export const RATE_LABEL = 'Decay rate (decades per step)';
