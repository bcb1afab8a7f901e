import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  LongActionProgressPage,
  LongActionProgressView,
  milestoneKey,
} from '../../views/users/long-action-progress';
import { NotFoundError } from '../core/errors';
import { exportStream } from '../lists/export-stream';
import type { AppDeps, AppEnv } from '../web/env';
import { guard, type SignedInEnv } from '../web/guard';
import { isHtmx, renderFragment, renderPage, renderStatusPage } from '../web/render';
import {
  type LongActionProgress,
  longActionProgress,
  longActionReport,
  REPORT_HEADER,
} from './long-action-progress';

/**
 * A long action's page (`/:id`: the progress, and its htmx poll with `?said=` the milestone the
 * live region last announced) and its report (`/:id/report.csv`), for one kind of action under
 * the permission that starts it.
 */
export function longActionRoutes(
  deps: AppDeps,
  kind: LongActionProgress['kind'],
  access: { permission: string },
) {
  const app = new Hono<AppEnv>();

  /** The action, or null for an id that names none of this kind (a 404 page). */
  const progressOf = (c: Context<SignedInEnv>) =>
    longActionProgress(deps.db, kind, c.req.param('id') ?? '').catch((error) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });

  app.get('/:id', guard(deps, access), async (c) => {
    const progress = await progressOf(c);
    if (!progress) return renderStatusPage(c, 404);
    if (isHtmx(c))
      return renderFragment(
        c,
        <LongActionProgressView
          progress={progress}
          announce={c.req.query('said') !== milestoneKey(progress)}
        />,
      );
    return renderPage(c, {
      title: `${progress.title} · Users`,
      body: <LongActionProgressPage progress={progress} />,
    });
  });

  app.get('/:id/report.csv', guard(deps, access), async (c) => {
    const progress = await progressOf(c);
    if (!progress) return renderStatusPage(c, 404);
    const name = kind === 'bulk_users' ? 'bulk-action' : 'reset-all-passwords';
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="${name}-${progress.id}.csv"`);
    // The lists' CSV stream: read as the client takes it, formula-like cells neutralised.
    return c.body(
      exportStream('csv', REPORT_HEADER, longActionReport(deps.db, progress.id), `${name} report`),
    );
  });

  return app;
}
