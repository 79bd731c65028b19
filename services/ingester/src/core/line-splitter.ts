/**
 * Splits streamed text into lines (LF or CRLF) with a hard per-line limit: a line longer than
 * `maxLineLength` is reported once, cut to the limit, and the rest of it is skipped, so a file
 * without newlines cannot make the reader hold it whole.
 */
export type LineHandler = (text: string, line: number, tooLong: boolean) => void;

export class LineSplitter {
  #pending = '';
  #tooLong = false;
  #line = 0;

  constructor(readonly maxLineLength: number) {}

  push(chunk: string, emit: LineHandler): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) {
        this.#append(chunk.slice(start));
        return;
      }
      this.#append(chunk.slice(start, nl));
      this.#flush(emit);
      start = nl + 1;
    }
  }

  /** Emits a last line that had no newline. */
  end(emit: LineHandler): void {
    if (this.#pending.length > 0 || this.#tooLong) this.#flush(emit);
  }

  #append(part: string): void {
    if (this.#tooLong) return;
    // +1: a CR that turns out to precede the LF is not part of the line.
    if (this.#pending.length + part.length > this.maxLineLength + 1) {
      this.#pending = (this.#pending + part).slice(0, this.maxLineLength);
      this.#tooLong = true;
    } else this.#pending += part;
  }

  #flush(emit: LineHandler): void {
    this.#line += 1;
    let text = this.#pending;
    if (!this.#tooLong && text.endsWith('\r')) text = text.slice(0, -1);
    const tooLong = this.#tooLong || text.length > this.maxLineLength;
    this.#pending = '';
    this.#tooLong = false;
    emit(tooLong ? text.slice(0, this.maxLineLength) : text, this.#line, tooLong);
  }
}
