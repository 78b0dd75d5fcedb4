// What an exported figure is called and what its footer says.
import { APP_VERSION } from '../appVersion';

export type FigureFormat = 'png' | 'svg';

/** "decay.png", "decay@2x.png", "decay.svg". */
export function figureFileName(id: string, format: FigureFormat, scale: number): string {
  return format === 'svg' || scale === 1 ? `${id}.${format}` : `${id}@${scale}x.${format}`;
}

/** The view's footer (sweeps, configuration), then the SeqLab version that drew the figure. */
export function figureFooter(footer: string, version: string = APP_VERSION): string {
  return [footer.trim(), `SeqLab ${version}`].filter(Boolean).join(' · ');
}
