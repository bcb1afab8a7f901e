/** Dates as YYYY-MM-DD (UTC): unambiguous in every language. */
export function day(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

/** The last day a binding still grants, for an end instant at the start of the next day. */
export function lastDay(expiresAt: Date | null): string {
  return expiresAt ? day(new Date(expiresAt.getTime() - 1)) : '';
}
