import type { Context } from 'hono';
import { Hono } from 'hono';
import { type UserConfirmKind, UserConfirmPage, userConfirmText } from '../../views/users/confirm';
import { LinkSentPage } from '../../views/users/link-sent';
import type { ActionContext } from '../core/context';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { findUser } from './details';
import { deactivateUser, deleteUser, reactivateUser } from './lifecycle';
import { resendSetPassword, resetPassword, resetTwoFactor, signOutEverywhere, unlockUser } from './security';
import { renderUserPage } from './user-page';

const MANAGE = { permission: 'users.manage' } as const;

/** Every per-user action: one click from the user page, or asked first on a confirmation. */
export function userActionRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  /** A one-click action on the user page: redirect back with a flash, or the page with the refusal. */
  const simple = (path: string, act: (ctx: ActionContext, id: string) => Promise<unknown>, done: string) =>
    app.post(`/:id/${path}`, guard(deps, MANAGE), async (c) => {
      const id = c.req.param('id');
      try {
        await act(actionContext(c, deps), id);
        return redirectWithFlash(c, `/users/${id}`, done);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) => renderUserPage(c, deps, id, errors, status));
      }
    });
  simple('deactivate', deactivateUser, 'User deactivated. Their sessions have ended.');
  simple('reactivate', reactivateUser, 'User reactivated.');
  simple('sign-out', signOutEverywhere, 'All their sessions have ended.');

  app.post('/:id/resend', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const result = await resendSetPassword(actionContext(c, deps), id);
      return renderPage(c, {
        title: 'Set-password email sent · Users',
        body: (
          <LinkSentPage
            title="Set-password email sent"
            message="A new link was emailed; the previous one no longer works."
            manualLink={result.manualLink}
            userId={id}
          />
        ),
      });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => renderUserPage(c, deps, id, errors, status));
    }
  });

  const confirmPage = async (
    c: Context<SignedInEnv>,
    id: string,
    kind: UserConfirmKind,
    errors: FormErrors = {},
    status: PageStatus = 200,
    reason = '',
    address = '',
  ) => {
    const user = await findUser(deps.db, id).catch(() => null);
    if (!user) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `${userConfirmText(kind, user, address).title} · Users`,
      status,
      body: (
        <UserConfirmPage
          kind={kind}
          user={user}
          address={address}
          reason={reason}
          errors={errors}
          inDialog={isHtmx(c)}
        />
      ),
    });
  };

  app.get('/:id/delete', guard(deps, MANAGE), (c) => confirmPage(c, c.req.param('id'), 'delete'));
  app.post('/:id/delete', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const user = await findUser(deps.db, id);
      await deleteUser(actionContext(c, deps), id);
      return redirectWithFlash(c, '/users', `${user.name} (${user.email}) was deleted.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => confirmPage(c, id, 'delete', errors, status));
    }
  });

  app.get('/:id/reset-password', guard(deps, MANAGE), (c) =>
    confirmPage(c, c.req.param('id'), 'reset-password'),
  );
  app.post('/:id/reset-password', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const result = await resetPassword(actionContext(c, deps), id);
      return renderPage(c, {
        title: 'Password reset · Users',
        body: (
          <LinkSentPage
            title="Password reset"
            message="The old password no longer works. A link to choose a new one was emailed."
            manualLink={result.manualLink}
            userId={id}
          />
        ),
      });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        confirmPage(c, id, 'reset-password', errors, status),
      );
    }
  });

  /** Unlock and 2FA reset: a reason is required and audited. */
  const withReason = (
    kind: 'unlock' | 'reset-two-factor',
    act: (ctx: ActionContext, id: string, input: { reason?: unknown; address?: unknown }) => Promise<void>,
    done: string,
  ) => {
    // `address`: an unlock of the account for one client address only.
    app.get(`/:id/${kind}`, guard(deps, MANAGE), (c) =>
      confirmPage(c, c.req.param('id'), kind, {}, 200, '', (c.req.query('address') ?? '').slice(0, 100)),
    );
    app.post(`/:id/${kind}`, guard(deps, MANAGE), async (c) => {
      const id = c.req.param('id');
      const form = await formFields(c, ['reason', 'address']);
      try {
        await act(actionContext(c, deps), id, form);
        return redirectWithFlash(c, `/users/${id}`, done);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) =>
          confirmPage(c, id, kind, errors, status, form.reason ?? '', form.address ?? ''),
        );
      }
    });
  };
  withReason('unlock', unlockUser, 'User unlocked. They can sign in again.');
  withReason(
    'reset-two-factor',
    resetTwoFactor,
    'Two-factor authentication reset. They set it up again at their next sign-in.',
  );

  return app;
}
