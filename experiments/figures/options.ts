// What every figure accepts. Each figure draws the runs of one setting.

export interface FigureOptions {
  /**
   * The setting's target objective, one for every seed or one per seed: drawn as reference lines, and what
   * time to target measures. Default: each seed's autoTarget.
   */
  target?: number | Map<number, number>;
  width?: number;
  height?: number;
  /** Replaces the figure's default title. */
  title?: string;
}

export const DEFAULT_WIDTH_PX = 600;
export const DEFAULT_HEIGHT_PX = 360;
