import { createContext, useContext } from 'hono/jsx';
import { zonedDay, zonedParts } from '../../src/account/time-zones';

/** The viewer's time zone, provided once per response by renderPage (src/web/render.tsx). */
export const TimeZoneContext = createContext('UTC');

/** A moment in the viewer's time zone, "2026-11-23 14:05 UTC+1", machine-readable in UTC. */
export function Time({ at, seconds = false }: { at: Date; seconds?: boolean }) {
  const p = zonedParts(at, useContext(TimeZoneContext));
  return (
    <time datetime={at.toISOString()}>
      {p.day} {seconds ? p.time : p.time.slice(0, 5)} {p.zone}
    </time>
  );
}

/** The day of a moment in the viewer's time zone (YYYY-MM-DD), machine-readable in UTC. */
export function Day({ at }: { at: Date }) {
  return <time datetime={at.toISOString()}>{zonedDay(at, useContext(TimeZoneContext))}</time>;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 days ago", "in 2 hours", "yesterday": the largest unit that fits, rounded down. */
export function relativeText(at: Date, now: Date): string {
  const diff = at.getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    const n = Math.trunc(diff / ms);
    if (n !== 0) return relative.format(n, unit);
  }
  return 'just now';
}

const utcParts = (at: Date) => {
  const iso = at.toISOString();
  return { day: iso.slice(0, 10), time: iso.slice(11, 19), zone: 'UTC' };
};

/** "UTC+5:30" as the "+05:30" an ISO time carries. */
const isoOffset = (zone: string) => {
  if (zone === 'UTC') return 'Z';
  const [, sign, hours, minutes] = /^UTC([+-])(\d{1,2})(?::(\d{2}))?$/.exec(zone) ?? [];
  return sign ? `${sign}${hours?.padStart(2, '0')}:${minutes ?? '00'}` : 'Z';
};

/**
 * A moment as relative text ("3 days ago") for scanning a list; the exact time in the viewer's
 * zone is the <time>'s machine-readable value and its tooltip (a title is not read by every
 * screen reader, so the visible words carry the meaning on their own).
 */
export function Ago({ at, now }: { at: Date; now: Date }) {
  const zone = useContext(TimeZoneContext);
  // UTC, the default zone, needs no Intl formatting: ~1 µs instead of 14-28 µs a cell, and a
  // list page has fifty such cells.
  const p = zone === 'UTC' ? utcParts(at) : zonedParts(at, zone);
  const exact = `${p.day} ${p.time.slice(0, 5)} ${p.zone}`;
  return (
    <time datetime={`${p.day}T${p.time}${isoOffset(p.zone)}`} title={exact}>
      {relativeText(at, now)}
    </time>
  );
}
