import { describe, expect, it } from 'vitest';
import { formatNumber, plural } from './plural';

describe('plural', () => {
  it('agrees with the count and formats the number', () => {
    expect(plural(1, 'event')).toBe('1 event');
    expect(plural(0, 'event')).toBe('0 events');
    expect(plural(2, 'event')).toBe('2 events');
    expect(plural(1204, 'person', 'people')).toBe('1,204 people');
    expect(plural(1, 'person', 'people')).toBe('1 person');
    expect(formatNumber(1000000)).toBe('1,000,000');
  });
});
