/** What a calendar engine needs to know about one exchange: its hours and, per year, its exceptions to Mon-Fri trading. */
export interface YearRules {
  /** Epoch days with no session (weekend days may appear; they are closed anyway). */
  closed: ReadonlySet<number>;
  /** Epoch day -> regular close in minutes after local midnight, for shortened sessions. */
  earlyClose: ReadonlyMap<number, number>;
}

export interface ExchangeRules {
  name: string;
  /** IANA zone the session times are wall-clock times in. */
  timeZone: string;
  firstYear: number;
  lastYear: number;
  /** Session times as minutes after local midnight. */
  preOpenMin: number;
  openMin: number;
  closeMin: number;
  postCloseMin: number;
  earlyPostCloseMin: number;
  /** Pure and cheap: called for every year when the calendar is first used. */
  year(year: number): YearRules;
}
