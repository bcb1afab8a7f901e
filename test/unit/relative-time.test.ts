import { describe, expect, it } from 'vitest';
import { relativeText } from '../../views/components/time';

const now = new Date('2026-12-03T12:00:00Z');
const ago = (ms: number) => relativeText(new Date(now.getTime() - ms), now);
const MIN = 60_000;
const DAY = 86_400_000;

describe('relative times in lists', () => {
  it('names the largest unit that fits, rounded down, in words people use', () => {
    expect(ago(20_000)).toBe('just now');
    expect(ago(MIN)).toBe('1 minute ago');
    expect(ago(59 * MIN)).toBe('59 minutes ago');
    expect(ago(3 * 60 * MIN)).toBe('3 hours ago');
    expect(ago(DAY)).toBe('yesterday');
    expect(ago(3 * DAY)).toBe('3 days ago');
    expect(ago(8 * DAY)).toBe('last week');
    expect(ago(45 * DAY)).toBe('last month');
    expect(ago(400 * DAY)).toBe('last year');
    expect(ago(-2 * DAY)).toBe('in 2 days');
  });
});
