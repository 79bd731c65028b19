import { describe, expect, it } from 'vitest';
import { newYorkClock } from './new-york.js';

describe('newYorkClock', () => {
  it('reads EST in winter and EDT in summer, with the date New York has', () => {
    expect(newYorkClock(Date.parse('2024-01-02T04:59:59Z'))).toEqual({ year: '2024', month: '01', day: '01', hour: '23', minute: '59', second: '59', zone: 'EST' });
    expect(newYorkClock(new Date('2024-07-01T04:00:00.999Z'))).toEqual({ year: '2024', month: '07', day: '01', hour: '00', minute: '00', second: '00', zone: 'EDT' });
  });

  it('follows the zone database across a spring-forward (02:00 EST is 03:00 EDT)', () => {
    expect(newYorkClock(Date.parse('2024-03-10T06:59:59Z'))).toMatchObject({ hour: '01', minute: '59', zone: 'EST' });
    expect(newYorkClock(Date.parse('2024-03-10T07:00:00Z'))).toMatchObject({ hour: '03', minute: '00', zone: 'EDT' });
  });
});
