/**
 * Times are stored in UTC and shown in the viewer's time zone (My account), UTC when unset.
 * The names are IANA's, as Node knows them; PostgreSQL knows the same names, so a day in the
 * viewer's zone can be computed in SQL (`at time zone`).
 */

export const TIME_ZONES: readonly string[] = [
  'UTC',
  ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC'),
];

const KNOWN = new Set(TIME_ZONES);

export const isTimeZone = (name: string): boolean => KNOWN.has(name);

/** The zone a stored preference names, or UTC for none or one no longer known. */
export const zoneOrUtc = (name: string | null | undefined): string =>
  name && KNOWN.has(name) ? name : 'UTC';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'shortOffset',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock parts of a moment in a zone: YYYY-MM-DD, HH:MM:SS and its offset (UTC+1). */
export function zonedParts(date: Date, timeZone: string): { day: string; time: string; zone: string } {
  const parts = Object.fromEntries(
    formatIn(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
    zone: offsetName(parts.timeZoneName),
  };
}

/** Intl's "GMT+1", "GMT-5:30" or "GMT" (which some locales write "UTC+0") as UTC+1, UTC-5:30, UTC. */
const offsetName = (name: string | undefined) => {
  const offset = (name ?? '').replace(/^(GMT|UTC)/, '');
  return /^([+-]0?0?(:00)?)?$/.test(offset) ? 'UTC' : `UTC${offset}`;
};

/** The calendar day (YYYY-MM-DD) a moment falls on in a zone. */
export const zonedDay = (date: Date, timeZone: string): string => zonedParts(date, timeZone).day;
