export type SizeRegime = 'small' | 'large' | 'neutral';

/**
 * Size regime with hysteresis: a side leads once the spread (small minus large, pp) reaches
 * +enter / -enter, and the lead ends only when the spread falls back inside +-exit. Between
 * exit and enter nothing changes, so a spread hovering at one threshold cannot flap.
 */
export function nextRegime(current: SizeRegime, spreadPp: number | null, enterPp: number, exitPp: number): SizeRegime {
  if (spreadPp === null) return current;
  if (spreadPp >= enterPp) return 'small';
  if (spreadPp <= -enterPp) return 'large';
  if (current === 'small' && spreadPp < exitPp) return 'neutral';
  if (current === 'large' && spreadPp > -exitPp) return 'neutral';
  return current;
}
