import { actionText, OUTCOME_TEXT } from '../../src/audit/actions';
import { auditDiff } from '../../src/audit/diff';
import type { AuditEvent } from '../../src/audit/events';
import { EmptyState } from '../components/empty-state';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';
import { targetText } from './log';

/** Where a target lives in the console, when it has a page. */
function targetHref(type: string | null, id: string | null): string | null {
  if (!type || !id) return null;
  if (type === 'user') return `/users/${id}`;
  if (type === 'invitation') return `/invitations/${id}`;
  if (type === 'role') return `/roles/${id}`;
  if (type === 'team') return `/teams/${id}`;
  return null;
}

/** Every field of one event, and its before/after as a table of what changed. */
export function AuditEventPage({ event }: { event: AuditEvent }) {
  const diff = auditDiff(event.before, event.after);
  const target = targetText({
    targetType: event.target_type,
    targetId: event.target_id,
    targetLabel: event.target_label,
  });
  const href = targetHref(event.target_type, event.target_id);
  const sameTarget =
    event.target_type && event.target_id
      ? `/audit?${new URLSearchParams({ target: `${event.target_type}:${event.target_id}` })}`
      : null;
  return (
    <section>
      <p>
        <a href="/audit">Audit log</a>
      </p>
      <h1>
        Event {event.id}: {actionText(event.action)}
      </h1>
      <dl class="event-fields">
        <dt>Time</dt>
        <dd>
          <Time at={event.occurred_at} seconds /> ({event.occurred_at.toISOString()})
        </dd>
        <dt>Action</dt>
        <dd>
          {actionText(event.action)} (<code>{event.action}</code>)
        </dd>
        <dt>Outcome</dt>
        <dd>{OUTCOME_TEXT[event.outcome]}</dd>
        <dt>Actor</dt>
        <dd>
          {event.actor_id ? <a href={`/users/${event.actor_id}`}>{event.actor_label}</a> : event.actor_label}{' '}
          (<a href={`/audit?${new URLSearchParams({ actor: event.actor_label })}`}>their events</a>)
        </dd>
        <dt>Target</dt>
        <dd>
          {target ? href ? <a href={href}>{target}</a> : target : 'None'}
          {event.target_type ? ` (${event.target_type})` : null}
          {sameTarget ? (
            <>
              {' '}
              (<a href={sameTarget}>its events</a>)
            </>
          ) : null}
        </dd>
        <dt>Project</dt>
        <dd>
          {event.project_name ?? (event.project_id ? `Deleted project ${event.project_id}` : 'Account-wide')}
        </dd>
        <dt>IP address</dt>
        <dd>{event.ip ?? 'None'}</dd>
        <dt>Request id</dt>
        <dd>
          <code>{event.request_id ?? 'None'}</code>
        </dd>
        {event.reason ? (
          <>
            <dt>Reason</dt>
            <dd>{event.reason}</dd>
          </>
        ) : null}
        <dt>Chain hash</dt>
        <dd>
          <code>{event.hash ?? 'None (written before the chain)'}</code>
        </dd>
      </dl>
      <h2>Changes</h2>
      {diff.length === 0 ? (
        <EmptyState>No values before or after: the fields above are all this event records.</EmptyState>
      ) : (
        <TableScroll captionId="diff-caption">
          <table class="diff">
            <caption id="diff-caption" class="visually-hidden">
              Values before and after the event
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {diff.map((row) => (
                <tr class={row.changed ? 'changed' : undefined}>
                  <th scope="row">{row.field}</th>
                  <td>{row.before}</td>
                  <td>{row.after}</td>
                  <td>{row.changed ? 'Yes' : 'No'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
