/**
 * What a file's prices are: as traded (`unadjusted`), adjusted backward for splits
 * (`split_adjusted`, Yahoo's Close), or for splits and dividends (`total_return`, Yahoo's Adj
 * Close, Stooq's Close). Two bases in one run compare prices that are not comparable: a
 * dividend-adjusted close against an as-traded print differs by every dividend since.
 */
export const PRICE_BASES = ['unadjusted', 'split_adjusted', 'total_return'] as const;
export type PriceBasis = (typeof PRICE_BASES)[number];

export function isPriceBasis(x: unknown): x is PriceBasis {
  return (PRICE_BASES as readonly unknown[]).includes(x);
}

/** The basis a file is read on, the price column that gives it, and why (for logs and errors). */
export interface FileBasis {
  basis: PriceBasis;
  /** Header name of the price column for CSV formats (lower case); undefined for the others. */
  column?: string;
  why: string;
}

/** What a file offers: a fixed basis, a choice of columns, or a basis only the operator knows. */
export type BasisOffer =
  | { kind: 'fixed'; basis: PriceBasis; column?: string; why: string }
  | { kind: 'choice'; options: Partial<Record<PriceBasis, { column: string; why: string }>>; default: PriceBasis }
  | { kind: 'stated'; default: PriceBasis; why: string };

/**
 * The basis a file is read on. `requested` (`--price-basis`) picks the column where the file
 * offers a choice and states the basis where the file cannot tell; a fixed basis is what it is
 * (a request it cannot meet surfaces as a mix of bases in `checkBases`).
 */
export function resolveBasis(offer: BasisOffer, requested: PriceBasis | undefined): FileBasis {
  switch (offer.kind) {
    case 'fixed':
      return { basis: offer.basis, why: offer.why, ...(offer.column ? { column: offer.column } : {}) };
    case 'stated':
      return requested ? { basis: requested, why: `${offer.why}, stated by --price-basis` } : { basis: offer.default, why: offer.why };
    case 'choice': {
      const pick = requested && offer.options[requested] ? requested : offer.default;
      const o = offer.options[pick]!;
      return { basis: pick, column: o.column, why: o.why };
    }
  }
}

export interface PlannedBasis {
  file: string;
  basis: PriceBasis;
  why: string;
}

/**
 * Undefined when every file is on one basis (the requested one, when one was requested);
 * otherwise the message of the refusal, naming each file with its basis and reason.
 */
export function checkBases(files: readonly PlannedBasis[], requested: PriceBasis | undefined): string | undefined {
  const bases = new Set(files.map((f) => f.basis));
  const unmet = requested !== undefined && files.some((f) => f.basis !== requested);
  if (bases.size <= 1 && !unmet) return undefined;
  const list = files.map((f) => `${f.file}: ${f.basis} (${f.why})`).join('; ');
  const head = unmet && bases.size === 1 ? `--price-basis ${requested} cannot be read from these files` : `price bases differ within one run`;
  return `${head}: ${list}. Comparing prices on different bases reads every adjustment as a price move; replay files of one basis, or pass --allow-mixed-basis`;
}
