/** Dates as YYYY-MM-DD (UTC): unambiguous in every language. */
export function day(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

// Counts with their nouns; in src/core so that domain texts (flash messages, reports) share it.
export { formatNumber, plural } from '../../src/core/plural';
export { lastDayOf as lastDay } from '../../src/core/validation';
