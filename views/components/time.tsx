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
