import type { QuoteSink } from './source.js';

/** `sink`, counting every record a source delivers through it (quotes, rejections, events; not skips) for progress(). */
export function counting(sink: QuoteSink, count: () => void): QuoteSink {
  return {
    quote: (...a) => (count(), sink.quote(...a)),
    reject: (...a) => (count(), sink.reject(...a)),
    event: (...a) => (count(), sink.event(...a)),
    skip: (...a) => sink.skip(...a),
  };
}
