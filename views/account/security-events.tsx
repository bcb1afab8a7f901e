import type { SecurityEvent } from '../../src/account/security-events';
import { actionText, OUTCOME_TEXT } from '../../src/audit/actions';
import { EmptyState } from '../components/empty-state';
import { plural } from '../components/format';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

/** The user's recent sign-ins, lockouts and security changes, newest first. */
export function SecurityEventsSection({ events }: { events: SecurityEvent[] }) {
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Recent security events</h2>
      {events.length === 0 ? (
        <EmptyState id="no-security-events">
          None yet: your sign-ins, lockouts and changes to your password and two-factor authentication will be
          listed here.
        </EmptyState>
      ) : (
        <TableScroll captionId="events-caption">
          <table>
            <caption id="events-caption" class="visually-hidden">
              Your last {plural(events.length, 'security event')}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Result</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr>
                  <td>
                    <Time at={e.occurred_at} />
                  </td>
                  <td>{actionText(e.action)}</td>
                  <td>{OUTCOME_TEXT[e.outcome]}</td>
                  <td>{e.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
