import type { LongActionProgress } from '../../src/users/long-action-progress';
import { formatNumber as number, plural } from '../components/format';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

const tenth = (p: LongActionProgress) =>
  p.total === 0 ? 0 : Math.min(100, Math.floor(((p.done + p.skipped + p.failed) / p.total) * 10) * 10);

/** Which milestone the progress is at: every tenth while running, then its end. */
export const milestoneKey = (p: LongActionProgress) => (p.state === 'running' ? `${tenth(p)}` : p.state);

const bulk = (p: LongActionProgress) => p.kind === 'bulk_users';

/** Where the action's page is. */
export const longActionUrl = (p: Pick<LongActionProgress, 'id' | 'kind'>) =>
  `/users/${p.kind === 'bulk_users' ? 'bulk' : 'reset-all'}/${p.id}`;

/** A bulk action's outcome in a sentence ("2 users changed; 1 skipped or refused."). */
export function bulkSummary(p: LongActionProgress): string {
  const other = p.skipped + p.failed;
  return `${plural(p.done, 'user')} changed${other > 0 ? `; ${number(other)} skipped or refused` : ''}.`;
}

/** What the live region says at a milestone. */
export function milestone(p: LongActionProgress): string {
  if (p.state === 'done')
    return bulk(p)
      ? `${p.title} finished: ${bulkSummary(p)}`
      : `Reset all passwords finished: ${number(p.done)} emailed, ${number(p.skipped)} skipped.`;
  if (p.state === 'failed') return `${p.title} stopped with an error.`;
  return `${p.title}: ${tenth(p)}% done.`;
}

/**
 * The progress, polled every two seconds by htmx while the action runs (the fragment replaces
 * itself); without JavaScript the Refresh link reloads the page. The live region outside it is
 * updated out of band with the milestone only, so a screen reader hears every tenth, not every poll.
 */
export function LongActionProgressView({
  progress: p,
  announce = false,
}: {
  progress: LongActionProgress;
  /** A poll that passed a milestone: the live region gets it. */
  announce?: boolean;
}) {
  const handled = p.done + p.skipped + p.failed;
  const url = longActionUrl(p);
  const poll = `${url}?said=${milestoneKey(p)}`;
  const running = p.state === 'running';
  return (
    <>
      <div
        id="long-action"
        {...(running
          ? { 'hx-get': poll, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML', 'hx-target': 'this' }
          : {})}
      >
        <p>
          <label for="long-action-progress">
            {running
              ? bulk(p)
                ? `${p.title}: working`
                : 'Resetting passwords'
              : p.state === 'done'
                ? 'Finished'
                : 'Stopped'}
            : {number(handled)} of {plural(p.total, 'person', 'people')} handled
          </label>
          <br />
          <progress id="long-action-progress" max={Math.max(p.total, 1)} value={Math.min(handled, p.total)}>
            {number(handled)} of {number(p.total)}
          </progress>
        </p>
        <dl class="details">
          {/* The passwords all stopped working when it started; the batches send the links. */}
          <dt>{bulk(p) ? 'Changed' : 'Emailed a link'}</dt>
          <dd>{number(p.done)}</dd>
          <dt>Skipped</dt>
          <dd>{number(p.skipped)}</dd>
          <dt>Failed</dt>
          <dd>{number(p.failed)}</dd>
          <dt>Started</dt>
          <dd>
            <Time at={p.startedAt} /> by {p.startedBy}
          </dd>
          {p.finishedAt ? (
            <>
              <dt>Finished</dt>
              <dd>
                <Time at={p.finishedAt} />
              </dd>
            </>
          ) : null}
        </dl>
        {running ? (
          <p>
            You can leave this page: the work goes on, and this page finds it again. <a href={url}>Refresh</a>
          </p>
        ) : (
          <>
            {bulk(p) && p.state === 'done' ? <p>{bulkSummary(p)}</p> : null}
            {p.state === 'failed' ? (
              <p>
                It stopped after its last retry: {p.error ?? 'an unexpected error'}. What was done before
                stays done, and the report lists it.
              </p>
            ) : null}
            <p>
              {bulk(p) ? null : (
                <>
                  Each person reset is emailed a link; the <a href="/email">Email page</a> shows what became
                  of each email.{' '}
                </>
              )}
              <a href={`${url}/report.csv`}>Download the report for every person (CSV)</a>
            </p>
          </>
        )}
        {p.exceptions.length > 0 ? (
          <TableScroll captionId="exceptions-caption">
            <table>
              <caption id="exceptions-caption">Skipped or failed, and why</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {p.exceptions.map((e) => (
                  <tr>
                    <th scope="row">{e.email}</th>
                    <td>{e.outcome}</td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : null}
      </div>
      {announce ? (
        <div id="long-action-status" hx-swap-oob="innerHTML">
          {milestone(p)}
        </div>
      ) : null}
    </>
  );
}

export function LongActionProgressPage({ progress }: { progress: LongActionProgress }) {
  return (
    <section>
      <p>
        <a href="/users">Users</a>
      </p>
      <h1>{progress.title}</h1>
      <LongActionProgressView progress={progress} />
      <div id="long-action-status" class="visually-hidden" role="status" aria-live="polite">
        {milestone(progress)}
      </div>
    </section>
  );
}
