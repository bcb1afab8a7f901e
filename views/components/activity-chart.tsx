import type { ActivityDay } from '../../src/audit/activity';
import { formatNumber, plural } from './format';
import { TableScroll } from './table-scroll';

const WIDTH = 640;
const HEIGHT = 180;
const LEFT = 36;
const BOTTOM = 22;
const TOP = 14;

const sum = (days: ActivityDay[], key: 'signIns' | 'failedSignIns' | 'lockouts') =>
  days.reduce((n, d) => n + d[key], 0);

/**
 * Sign-ins, failed sign-ins and lockouts per day: an inline SVG for the eye (solid and striped
 * bars side by side, lockouts as diamonds: told apart by pattern, shape and place, not by colour
 * alone), and the same numbers as a table for everyone else. The SVG carries a summary as its name; the table is one click
 * away under it, reachable by keyboard and read by screen readers.
 */
export function ActivityChart({ days, id = 'activity' }: { days: ActivityDay[]; id?: string }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.signIns, d.failedSignIns, d.lockouts)));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const step = (WIDTH - LEFT) / Math.max(days.length, 1);
  const bar = Math.max(2, step / 2 - 2);
  const y = (n: number) => TOP + plotHeight - (n / max) * plotHeight;
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  const summary =
    `Last ${plural(days.length, 'day')}, ${first} to ${last}: ${plural(sum(days, 'signIns'), 'sign-in')}, ` +
    `${plural(sum(days, 'failedSignIns'), 'failed sign-in')}, ` +
    `${plural(sum(days, 'lockouts'), 'lockout')}.`;
  return (
    <figure class="activity" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        <strong>Sign-in activity</strong> <span class="hint">{summary}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Chart of sign-ins, failed sign-ins and lockouts per day. ${summary} The numbers for each day are in the table below.`}
        class="activity-chart"
        focusable="false"
      >
        <defs>
          <pattern
            id={`${id}-stripes`}
            width="5"
            height="5"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="5" height="5" class="bar-failed" />
            <line x1="1" y1="0" x2="1" y2="5" class="stripe" />
          </pattern>
        </defs>
        <line x1={LEFT} y1={y(0)} x2={WIDTH} y2={y(0)} class="axis" />
        <line x1={LEFT} y1={TOP} x2={LEFT} y2={y(0)} class="axis" />
        <text x={LEFT - 4} y={TOP + 4} text-anchor="end" class="tick">
          {max}
        </text>
        <text x={LEFT - 4} y={y(0)} text-anchor="end" class="tick">
          0
        </text>
        {days.map((d, i) => {
          const x = LEFT + i * step + 1;
          return (
            <g>
              <title>
                {d.day}: {plural(d.signIns, 'sign-in')}, {formatNumber(d.failedSignIns)} failed,{' '}
                {plural(d.lockouts, 'lockout')}
              </title>
              <rect x={x} y={y(d.signIns)} width={bar} height={y(0) - y(d.signIns)} class="bar-ok" />
              <rect
                x={x + bar + 1}
                y={y(d.failedSignIns)}
                width={bar}
                height={y(0) - y(d.failedSignIns)}
                fill={`url(#${id}-stripes)`}
                class="bar-striped"
              />
              {d.lockouts > 0 ? (
                <path d={`M ${x + bar} ${y(d.lockouts) - 5} l 5 5 l -5 5 l -5 -5 z`} class="mark-lockout" />
              ) : null}
              {/* Weekly ticks counted back from today, so the last day is always labelled. */}
              {(days.length - 1 - i) % 7 === 0 ? (
                <text x={x + bar} y={HEIGHT - 6} text-anchor="middle" class="tick">
                  {d.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="swatch bar-ok" /> Sign-ins (solid, left)
        </li>
        <li>
          <span class="swatch swatch-striped" /> Failed sign-ins (striped, right)
        </li>
        <li>
          <span class="swatch mark-lockout diamond" /> Lockouts (diamond, above)
        </li>
      </ul>
      <details>
        <summary>Numbers per day</summary>
        <TableScroll captionId="activity-table-caption">
          <table>
            <caption id="activity-table-caption" class="visually-hidden">
              Sign-ins, failed sign-ins and lockouts per day
            </caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Sign-ins</th>
                <th scope="col">Failed sign-ins</th>
                <th scope="col">Lockouts</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr>
                  <th scope="row">{d.day}</th>
                  <td>{d.signIns}</td>
                  <td>{d.failedSignIns}</td>
                  <td>{d.lockouts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </figure>
  );
}
