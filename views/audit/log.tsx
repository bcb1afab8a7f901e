import {
  AUDIT_ACTIONS,
  AUDIT_AREAS,
  type AuditAction,
  type AuditArea,
  actionText,
  OUTCOME_TEXT,
} from '../../src/audit/actions';
import type { ActivityDay } from '../../src/audit/activity';
import { type AuditListQuery, type AuditPage, auditListParams, OUTCOMES } from '../../src/audit/list';
import { PAGE_SIZES } from '../../src/lists/paging';
import { ActivityChart } from '../components/activity-chart';
import { Field, SelectField } from '../components/form';
import { ExportLinks, ListCaption, listAnnouncement, Pagination, rangeText } from '../components/pagination';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

export const auditRange = (page: AuditPage) => rangeText(page, page.events.length, 'events');

export const auditAnnouncement = (page: AuditPage) =>
  listAnnouncement('by time, newest first', auditRange(page));

/** What an event acted on, in words: its label, else its type and id. */
export function targetText(e: {
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
}) {
  if (e.targetLabel) return e.targetLabel;
  if (e.targetType) return `${e.targetType} ${e.targetId ?? ''}`.trim();
  return '';
}

const ACTIONS_BY_AREA = (Object.keys(AUDIT_AREAS) as AuditArea[]).map((area) => ({
  area,
  actions: (Object.keys(AUDIT_ACTIONS) as AuditAction[]).filter((a) => AUDIT_ACTIONS[a].area === area),
}));

export function AuditResults({ q, page }: { q: AuditListQuery; page: AuditPage }) {
  return (
    <div id="audit-list">
      <ExportLinks base="/audit/export" filter={auditListParams({ ...q, per: 25 })} />
      <TableScroll captionId="audit-list-caption">
        <table>
          <ListCaption list="audit-list" text={auditRange(page)} />
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Target</th>
              <th scope="col">Project</th>
              <th scope="col">IP address</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((e) => (
              <tr>
                <td>
                  <Time at={e.occurredAt} seconds />
                </td>
                <td>{e.actorLabel}</td>
                <th scope="row">
                  <a href={`/audit/events/${e.id}`}>
                    {actionText(e.action)}
                    <span class="visually-hidden">, event {e.id}</span>
                  </a>
                </th>
                <td>{OUTCOME_TEXT[e.outcome]}</td>
                <td>{targetText(e)}</td>
                <td>{e.projectName ?? (e.projectId ? 'Deleted project' : 'Account')}</td>
                <td>{e.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pagination
        page={page}
        shown={page.events.length}
        per={q.per}
        noun="events"
        target="audit-list"
        href={(paging) => `/audit?${auditListParams(q, paging)}`}
      />
    </div>
  );
}

function ActionFilter({ chosen }: { chosen: readonly AuditAction[] }) {
  return (
    <details class="action-filter" open={chosen.length > 0}>
      <summary>Actions{chosen.length > 0 ? ` (${chosen.length} chosen)` : ' (all)'}</summary>
      {ACTIONS_BY_AREA.map(({ area, actions }) => (
        <fieldset>
          <legend>{AUDIT_AREAS[area]}</legend>
          {actions.map((a) => (
            <label class="choice">
              <input type="checkbox" name="action" value={a} checked={chosen.includes(a)} /> {actionText(a)}
            </label>
          ))}
        </fieldset>
      ))}
    </details>
  );
}

export function AuditLogPage({
  q,
  page,
  projects,
  activity,
  targetName,
}: {
  q: AuditListQuery;
  page: AuditPage;
  projects: Array<{ id: string; name: string }>;
  /** Only for those who may read account-wide events. */
  activity: ActivityDay[] | null;
  /** The target a link narrowed the list to, in words. */
  targetName: string | null;
}) {
  const withoutTarget = `/audit?${auditListParams({ ...q, target: '' })}`;
  return (
    <section>
      <h1>Audit log</h1>
      <p class="hint">
        Every sign-in, security event and change, newest first. Events cannot be changed; they are kept for
        the period set in Settings.
      </p>
      {activity ? <ActivityChart days={activity} /> : null}
      {q.target ? (
        <p>
          Showing the events of <strong>{targetName ?? q.target}</strong>.{' '}
          <a href={withoutTarget}>Show all targets</a>
        </p>
      ) : null}
      <form
        method="get"
        action="/audit"
        id="filters"
        class="filters"
        aria-label="Search and filter events"
        hx-get="/audit"
        hx-target="#audit-list"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, change, input delay:400ms from:#q"
      >
        {q.target ? <input type="hidden" name="target" value={q.target} /> : null}
        <div class="field">
          <label for="q">Search targets</label>
          <input id="q" name="q" type="search" value={q.q} autocomplete="off" />
        </div>
        <Field
          name="actor"
          label="Actor"
          hint="An email address, or cli"
          value={q.actor}
          autocomplete="off"
        />
        <Field
          name="user"
          label="User acted on"
          hint="Their email address"
          value={q.user}
          autocomplete="off"
        />
        <SelectField
          name="project"
          label="Project"
          value={q.project}
          options={[
            { value: '', label: 'All projects' },
            ...projects.map((p) => ({ value: p.id, label: p.name })),
          ]}
        />
        <SelectField
          name="outcome"
          label="Outcome"
          value={q.outcome}
          options={[
            { value: '', label: 'Any' },
            ...OUTCOMES.map((o) => ({ value: o, label: OUTCOME_TEXT[o] })),
          ]}
        />
        <div class="field">
          <label for="from">From (day)</label>
          <input id="from" name="from" type="date" value={q.from} />
        </div>
        <div class="field">
          <label for="to">To (day, included)</label>
          <input id="to" name="to" type="date" value={q.to} />
        </div>
        <ActionFilter chosen={q.actions} />
        <SelectField
          name="per"
          label="Rows per page"
          value={String(q.per)}
          options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))}
        />
        <div class="actions">
          <button type="submit">Apply</button>
          <a href="/audit">Clear filters</a>
        </div>
      </form>
      <AuditResults q={q} page={page} />
      <div id="list-status" class="visually-hidden" role="status" aria-live="polite" />
    </section>
  );
}
