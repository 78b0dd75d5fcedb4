// How the connectivity view names what it draws.
import type { NormName } from '../../../contract/labApi';

const SYMBOLS: Record<NormName, string> = {
  dh: '‖∂L_t/∂h_k‖',
  dc: '‖∂L_t/∂c_k‖',
  dWx: '‖∂L_t/∂Wx at step k‖',
  dWh: '‖∂L_t/∂Wh at step k‖',
  db: '‖∂L_t/∂b at step k‖',
};

export const normSymbol = (n: NormName): string => SYMBOLS[n];
