import type { Context } from 'hono';
import { Hono } from 'hono';
import { ResetAllPage } from '../../views/users/confirm';
import { milestoneKey, ResetAllProgress, ResetAllProgressPage } from '../../views/users/reset-all-progress';
import { NotFoundError } from '../core/errors';
import { exportStream } from '../lists/export-stream';
import type { AppDeps, AppEnv } from '../web/env';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderFragment, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import {
  longActionProgress,
  longActionReport,
  REPORT_HEADER,
  runningLongAction,
} from './long-action-progress';
import { resetAllCount, startResetAllPasswords } from './reset-all';

const SETTINGS = { permission: 'account.settings' } as const;

/**
 * "Reset all passwords", an account action, asked first with the number of people it reaches;
 * it runs as a job, and its page shows the progress and then the report.
 */
export function resetAllRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const resetAllPage = async (c: Context<SignedInEnv>, errors: FormErrors = {}, status: PageStatus = 200) =>
    renderPage(c, {
      title: 'Reset all passwords',
      status,
      body: (
        <ResetAllPage
          count={await resetAllCount(deps.db, c.var.user.id)}
          running={await runningLongAction(deps.db)}
          errors={errors}
          inDialog={isHtmx(c)}
        />
      ),
    });

  app.get('/reset-all', guard(deps, SETTINGS), (c) => resetAllPage(c));
  app.post('/reset-all', guard(deps, SETTINGS), async (c) => {
    try {
      const id = await startResetAllPasswords(actionContext(c, deps));
      return redirectWithFlash(c, `/users/reset-all/${id}`, 'Reset all passwords has started.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => resetAllPage(c, errors, status));
    }
  });

  /** The action, or a 404 page for an id that names none. */
  const progressOf = (c: Context<SignedInEnv>) =>
    longActionProgress(deps.db, c.req.param('id') ?? '').catch((error) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });

  app.get('/reset-all/:id', guard(deps, SETTINGS), async (c) => {
    const progress = await progressOf(c);
    if (!progress) return renderStatusPage(c, 404);
    if (isHtmx(c))
      return renderFragment(
        c,
        <ResetAllProgress progress={progress} announce={c.req.query('said') !== milestoneKey(progress)} />,
      );
    return renderPage(c, {
      title: 'Reset all passwords',
      body: <ResetAllProgressPage progress={progress} />,
    });
  });

  app.get('/reset-all/:id/report.csv', guard(deps, SETTINGS), async (c) => {
    const progress = await progressOf(c);
    if (!progress) return renderStatusPage(c, 404);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="reset-all-passwords-${progress.id}.csv"`);
    // The lists' CSV stream: read as the client takes it, formula-like cells neutralised.
    return c.body(
      exportStream('csv', REPORT_HEADER, longActionReport(deps.db, progress.id), 'reset-all report'),
    );
  });

  return app;
}
