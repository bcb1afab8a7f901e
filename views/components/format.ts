/** Dates as YYYY-MM-DD (UTC): unambiguous in every language. */
export function day(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

export { lastDayOf as lastDay } from '../../src/core/validation';
