/** Dates as YYYY-MM-DD (UTC): unambiguous in every language. */
export function day(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

export { lastDayOf as lastDay } from '../../src/domain/validation';

/** A moment as YYYY-MM-DD HH:MM UTC, the way the console writes times. */
export function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
