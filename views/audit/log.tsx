import {
  AUDIT_ACTIONS,
  AUDIT_AREAS,
  type AuditAction,
  type AuditArea,
  actionText,
  OUTCOME_TEXT,
} from '../../src/audit/actions';
import type { ActivityDay } from '../../src/audit/activity';
import { type AuditListQuery, auditList, type ListedEvent, OUTCOMES } from '../../src/audit/list';
import type { ListView, ListViewProps } from '../../src/lists/routes';
import { ActivityChart } from '../components/activity-chart';
import {
  type ChipLabels,
  Choices,
  ColumnHeaders,
  FilterForm,
  FilterMenu,
  ListResults,
  ListStatusRegion,
  SelectMenu,
} from '../components/list';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

const TARGET = 'audit-list';

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

type Props = ListViewProps<AuditListQuery, ListedEvent>;

/** What the chips call each chosen value. */
function chipLabels(extra: AuditLogExtra | undefined): ChipLabels {
  return {
    actor: { title: 'Actor' },
    user: { title: 'User acted on' },
    // A link from a user's or a team's page narrows the log to it: the chip names it and removes it.
    target: { title: 'Events of', format: (v) => extra?.targetName ?? v },
    project: { title: 'Project', options: (extra?.projects ?? []).map((p) => [p.id, p.name] as const) },
    outcome: { title: 'Outcome', options: OUTCOMES.map((o) => [o, OUTCOME_TEXT[o]] as const) },
    from: { title: 'From' },
    to: { title: 'To' },
    action: { title: 'Action', format: (v) => actionText(v as AuditAction) },
  };
}

function AuditResults({ q, page, fragment, extra }: Props & { extra?: AuditLogExtra }) {
  return (
    <ListResults
      list={auditList}
      q={q}
      target={TARGET}
      page={page}
      canExport
      fragment={fragment}
      chips={{ labels: chipLabels(extra), clear: '/audit' }}
      empty={<p>No events yet. Sign-ins and every change made in Gatehouse are recorded here.</p>}
      head={<ColumnHeaders list={auditList} q={q} target={TARGET} />}
    >
      {page.rows.map((e) => (
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
    </ListResults>
  );
}

function ActionFilter({ chosen }: { chosen: readonly AuditAction[] }) {
  return (
    <FilterMenu label="Action" chosen={chosen.length}>
      <div class="action-filter">
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
      </div>
    </FilterMenu>
  );
}

export interface AuditLogExtra {
  projects: Array<{ id: string; name: string }>;
  /** Only for those who may read account-wide events. */
  activity: ActivityDay[] | null;
  /** The target a link narrowed the list to, in words. */
  targetName: string | null;
  /**
   * Permission checks (AuthZEN) per API caller and day, last 14 days: counted, not audited one
   * by one. Only for those who may read account-wide events.
   */
  permissionChecks: Array<{ day: string; caller: string; allowed: number; denied: number }> | null;
}

function PermissionChecks({ rows }: { rows: NonNullable<AuditLogExtra['permissionChecks']> }) {
  return (
    <details>
      <summary>Permission checks by API callers, last 14 days</summary>
      <p class="hint">
        The product’s permission checks (AuthZEN) are counted per caller and day rather than recorded one by
        one.
      </p>
      <TableScroll captionId="checks-caption">
        <table>
          <caption id="checks-caption" class="visually-hidden">
            Permission checks per caller and day
          </caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Caller</th>
              <th scope="col">Allowed</th>
              <th scope="col">Denied</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.day}</td>
                <td>{r.caller}</td>
                <td>{r.allowed.toLocaleString('en-US')}</td>
                <td>{r.denied.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </details>
  );
}

function AuditLogPage(props: Props & { extra: AuditLogExtra }) {
  const { q, extra } = props;
  return (
    <section class="list-page">
      <h1>Audit log</h1>
      <p class="hint">
        Every sign-in, security event and change, newest first. Events cannot be changed; they are kept for
        the period set in Settings.
      </p>
      {extra.activity ? <ActivityChart days={extra.activity} /> : null}
      {extra.permissionChecks && extra.permissionChecks.length > 0 ? (
        <PermissionChecks rows={extra.permissionChecks} />
      ) : null}
      <FilterForm
        list={auditList}
        q={q}
        target={TARGET}
        search={{ label: 'Search targets', value: q.q }}
        exportable
      >
        {q.target ? <input type="hidden" name="target" value={q.target} /> : null}
        <ActionFilter chosen={q.actions} />
        <FilterMenu label="People" chosen={(q.actor ? 1 : 0) + (q.user ? 1 : 0)}>
          <div class="field">
            <label for="actor">Actor</label>
            <p class="hint" id="actor-hint">
              An email address, or cli
            </p>
            <input
              id="actor"
              name="actor"
              type="text"
              value={q.actor}
              autocomplete="off"
              aria-describedby="actor-hint"
            />
          </div>
          <div class="field">
            <label for="user">User acted on</label>
            <p class="hint" id="user-hint">
              Their email address
            </p>
            <input
              id="user"
              name="user"
              type="text"
              value={q.user}
              autocomplete="off"
              aria-describedby="user-hint"
            />
          </div>
        </FilterMenu>
        <SelectMenu
          legend="Project"
          name="project"
          anyLabel="All projects"
          options={extra.projects.map((p) => [p.id, p.name] as const)}
          chosen={q.project}
        />
        <Choices
          legend="Outcome"
          name="outcome"
          options={OUTCOMES.map((o) => [o, OUTCOME_TEXT[o]] as const)}
          chosen={q.outcome}
        />
        <FilterMenu label="Dates" chosen={(q.from ? 1 : 0) + (q.to ? 1 : 0)}>
          <div class="field">
            <label for="from">From (day)</label>
            <input id="from" name="from" type="date" value={q.from} />
          </div>
          <div class="field">
            <label for="to">To (day, included)</label>
            <input id="to" name="to" type="date" value={q.to} />
          </div>
        </FilterMenu>
      </FilterForm>
      <ListStatusRegion />
      <AuditResults {...props} />
    </section>
  );
}

export const auditLogView: ListView<AuditListQuery, ListedEvent, AuditLogExtra> = {
  target: TARGET,
  title: () => 'Audit log',
  Results: AuditResults,
  Page: AuditLogPage,
};
