/**
 * Okabe–Ito colours: distinguishable with the common colour-vision deficiencies and readable on
 * the dark background (each at least 3:1 against it, the WCAG minimum for graphics). Series also
 * differ in dash pattern and point shape, and every mark has a text label.
 */
export const OKABE_ITO = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#F5F5F5'] as const;

/** On the dark background #0072B2 is too dim for thin lines: use a lighter blue of the same hue. */
export const SERIES_COLOURS = ['#56B4E9', '#E69F00', '#009E73', '#F0E442', '#CC79A7', '#D55E00', '#5AA9E6', '#F5F5F5'] as const;

export const DASHES: ReadonlyArray<number[]> = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 1]];
export const POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star', 'rectRounded', 'cross'] as const;

/** Up and down: blue and orange, never red and green. */
export const UP = '#56B4E9';
export const DOWN = '#E69F00';

export const QUADRANT_FILL: Record<'leading' | 'weakening' | 'lagging' | 'improving', string> = {
  leading: 'rgba(0, 158, 115, 0.16)',
  weakening: 'rgba(240, 228, 66, 0.12)',
  lagging: 'rgba(213, 94, 0, 0.16)',
  improving: 'rgba(86, 180, 233, 0.16)',
};

export function seriesStyle(i: number): { colour: string; dash: number[]; point: (typeof POINT_STYLES)[number] } {
  return {
    colour: SERIES_COLOURS[i % SERIES_COLOURS.length]!,
    dash: DASHES[i % DASHES.length]!,
    point: POINT_STYLES[i % POINT_STYLES.length]!,
  };
}
