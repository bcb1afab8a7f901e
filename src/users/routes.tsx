import type { Context } from 'hono';
import { Hono } from 'hono';
import { ConfirmPage } from '../../views/components/confirm';
import { TextAreaField } from '../../views/components/form';
import { BulkPreviewPage, BulkResultPage } from '../../views/users/bulk';
import { LinkSentPage, NewUserPage, UserPage } from '../../views/users/user';
import { UserEditPage } from '../../views/users/user-edit';
import { roleAndTeamChoices } from '../access/choices';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields, formValues } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext, viewerAuditScope } from '../web/session';
import {
  createUser,
  deactivateUser,
  deleteUser,
  reactivateUser,
  resendSetPassword,
  resetAllCount,
  resetAllPasswords,
  resetPassword,
  resetTwoFactor,
  signOutEverywhere,
  unlockUser,
} from './actions';
import { type BulkAction, previewBulk, runBulk } from './bulk';
import { userDetails } from './details';
import { editUser, type UserEditState, type UserEditWas, userEditState } from './edit';

type Status = 200 | 403 | 409 | 422;
const VIEW = { permission: 'users.view' } as const;
const MANAGE = { permission: 'users.manage' } as const;

/** The user page and every per-user action (the users list is the next step of this area). */
export function userRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();
  const actorOf = (c: Context<SignedInEnv>) => c.get('actor');

  const userPage = async (c: Context<SignedInEnv>, id: string, errors?: FormErrors, status: Status = 200) => {
    const actor = actorOf(c);
    try {
      const mayAudit = actor.kind === 'user' && actor.permissions.has('audit.view');
      const auditScope = mayAudit ? viewerAuditScope(c) : null;
      const details = await userDetails(deps.db, id, now(), {
        id: actor.kind === 'user' ? actor.id : undefined,
        auditScope,
      });
      const canManage = actor.kind === 'user' && actor.permissions.has('users.manage');
      // A person's events are mostly account-wide (sign-ins): the log's links are for account-wide viewers.
      const canAudit = auditScope?.all === true;
      return renderPage(c, {
        title: details.user.name,
        status,
        body: <UserPage details={details} canManage={canManage} canAudit={canAudit} errors={errors} />,
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
  };

  const newUserPage = async (
    c: Context<SignedInEnv>,
    values?: { name: string; email: string; roleId: string },
    errors?: FormErrors,
    status: Status = 200,
  ) => {
    const actor = actorOf(c);
    const projectId = actor.kind === 'user' ? actor.projectId : '';
    const project = await deps.db
      .selectFrom('projects')
      .select('name')
      .where('id', '=', projectId)
      .executeTakeFirst();
    return renderPage(c, {
      title: 'Create user',
      status,
      body: (
        <NewUserPage
          roles={(await roleAndTeamChoices(deps.db)).roles}
          projectName={project?.name ?? ''}
          values={values}
          errors={errors}
        />
      ),
    });
  };

  const bulkInput = async (c: Context<SignedInEnv>) => {
    const { fields, lists } = await formValues(c, ['action', 'roleId'] as const, ['ids']);
    return { ...fields, ids: lists.ids };
  };

  app.post('/users/bulk/preview', guard(deps, MANAGE), async (c) => {
    try {
      const preview = await previewBulk(actionContext(c, deps), await bulkInput(c));
      return renderPage(c, { title: 'Check before you confirm', body: <BulkPreviewPage {...preview} /> });
    } catch (error) {
      return renderRefusal(c, error, (errors) =>
        redirectWithFlash(c, '/users', Object.values(errors).join(' ') || 'Nothing to do.'),
      );
    }
  });

  app.post('/users/bulk', guard(deps, MANAGE), async (c) => {
    const actor = actorOf(c);
    const input = await bulkInput(c);
    try {
      const result = await runBulk(
        actionContext(c, deps),
        actor.kind === 'user' ? actor.projectId : '',
        input,
      );
      return renderPage(c, {
        title: 'Done',
        body: (
          <BulkResultPage action={input.action as BulkAction} done={result.done} refused={result.refused} />
        ),
      });
    } catch (error) {
      return renderRefusal(c, error, (errors) =>
        redirectWithFlash(c, '/users', Object.values(errors).join(' ') || 'Nothing to do.'),
      );
    }
  });

  const resetAllPage = async (c: Context<SignedInEnv>, errors: FormErrors = {}, status: Status = 200) => {
    const actor = actorOf(c);
    const count = actor.kind === 'user' ? await resetAllCount(deps.db, actor.id) : 0;
    return renderPage(c, {
      title: 'Reset all passwords',
      status,
      body: (
        <ConfirmPage
          inDialog={isHtmx(c)}
          title="Reset all passwords?"
          action="/users/reset-all"
          confirmLabel={`Reset ${count} passwords`}
          cancelHref="/users"
          errors={errors}
        >
          <p>
            The passwords of {count} {count === 1 ? 'person' : 'people'} stop working at once and their
            sessions end; each is emailed a link to choose a new one. Yours is not reset.
          </p>
        </ConfirmPage>
      ),
    });
  };

  app.get('/users/reset-all', guard(deps, { permission: 'account.settings' }), (c) => resetAllPage(c));
  app.post('/users/reset-all', guard(deps, { permission: 'account.settings' }), async (c) => {
    try {
      const count = await resetAllPasswords(actionContext(c, deps));
      return redirectWithFlash(c, '/users', `${count} passwords were reset; each person was emailed a link.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => resetAllPage(c, errors, status as Status));
    }
  });

  app.get('/users/new', guard(deps, MANAGE), (c) => newUserPage(c));

  app.post('/users', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['name', 'email', 'roleId']);
    const actor = actorOf(c);
    try {
      const result = await createUser(
        actionContext(c, deps),
        actor.kind === 'user' ? actor.projectId : '',
        form,
      );
      return renderPage(c, {
        title: 'User created',
        body: (
          <LinkSentPage
            title="User created"
            message={`${form.email?.trim()} was created and emailed a link to set their password.`}
            manualLink={result.manualLink}
            userId={result.userId}
          />
        ),
      });
    } catch (error) {
      const values = { name: form.name ?? '', email: form.email ?? '', roleId: form.roleId ?? '' };
      return renderRefusal(c, error, (errors, status) => newUserPage(c, values, errors, status as Status));
    }
  });

  app.get('/users/:id', guard(deps, VIEW), (c) => userPage(c, c.req.param('id')));

  const editPage = async (
    c: Context<SignedInEnv>,
    id: string,
    posted?: { values: UserEditState; was: UserEditWas | undefined },
    errors?: FormErrors,
    status: Status = 200,
  ) => {
    const actor = actorOf(c);
    const projectId = actor.kind === 'user' ? actor.projectId : '';
    try {
      const [{ user, values: current }, { roles, teams }] = await Promise.all([
        userEditState(deps.db, id, projectId),
        roleAndTeamChoices(deps.db),
      ]);
      const projectName = c.get('projects')?.find((p) => p.id === projectId)?.name ?? 'this project';
      return renderPage(c, {
        title: `Edit ${user.name}`,
        status,
        body: (
          <UserEditPage
            user={user}
            values={posted?.values ?? current}
            was={posted?.was ?? current}
            roles={roles}
            teams={teams}
            projectName={projectName}
            errors={errors}
            inDialog={isHtmx(c)}
          />
        ),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
  };

  app.get('/users/:id/edit', guard(deps, MANAGE), (c) => editPage(c, c.req.param('id')));

  app.post('/users/:id/edit', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const actor = actorOf(c);
    const { fields, lists } = await formValues(
      c,
      ['name', 'language', 'until', 'roleId', 'opened', 'untilWas', 'roleIdWas'],
      ['teamIds', 'teamIdsWas'],
    );
    const was: UserEditWas | undefined = fields.opened
      ? { until: fields.untilWas ?? '', roleId: fields.roleIdWas ?? '', teamIds: lists.teamIdsWas }
      : undefined;
    try {
      const { changed } = await editUser(
        actionContext(c, deps),
        id,
        actor.kind === 'user' ? actor.projectId : '',
        {
          name: fields.name,
          language: fields.language,
          until: fields.until,
          roleId: fields.roleId,
          teamIds: lists.teamIds,
          was,
        },
      );
      return redirectWithFlash(c, `/users/${id}`, changed.length > 0 ? 'Changes saved.' : 'Nothing changed.');
    } catch (error) {
      const values: UserEditState = {
        name: fields.name ?? '',
        language: fields.language ?? '',
        until: fields.until ?? '',
        roleId: fields.roleId ?? '',
        teamIds: lists.teamIds,
      };
      return renderRefusal(c, error, (errors, status) =>
        editPage(c, id, { values, was }, errors, status as Status),
      );
    }
  });

  /** A one-click action on the user page: redirect back with a flash, or the page with the refusal. */
  const simple = (path: string, act: (ctx: ActionContext, id: string) => Promise<unknown>, done: string) =>
    app.post(`/users/:id/${path}`, guard(deps, MANAGE), async (c) => {
      const id = c.req.param('id');
      try {
        await act(actionContext(c, deps), id);
        return redirectWithFlash(c, `/users/${id}`, done);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) => userPage(c, id, errors, status as Status));
      }
    });
  simple('deactivate', deactivateUser, 'User deactivated. Their sessions have ended.');
  simple('reactivate', reactivateUser, 'User reactivated.');
  simple('sign-out', signOutEverywhere, 'All their sessions have ended.');

  app.post('/users/:id/resend', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const result = await resendSetPassword(actionContext(c, deps), id);
      return renderPage(c, {
        title: 'Email sent',
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
      return renderRefusal(c, error, (errors, status) => userPage(c, id, errors, status as Status));
    }
  });

  const confirmPage = async (
    c: Context<SignedInEnv>,
    id: string,
    kind: 'delete' | 'reset-password' | 'unlock' | 'reset-two-factor',
    errors: FormErrors = {},
    status: Status = 200,
    reason = '',
    address = '',
  ) => {
    const details = await userDetails(deps.db, id, now()).catch(() => null);
    if (!details) return renderStatusPage(c, 404);
    const { name, email } = details.user;
    const forAddress = address ? ` for ${address}` : '';
    const text = {
      delete: {
        title: `Delete ${name}?`,
        confirm: `Delete ${name}`,
        body: `This removes ${name} (${email}) for good, with their role bindings, team memberships and sessions. It cannot be undone; deactivate instead to keep the record.`,
      },
      'reset-password': {
        title: `Reset the password of ${name}?`,
        confirm: `Reset password of ${name}`,
        body: `Their current password stops working at once and their sessions end. They are emailed a link, valid one hour, to choose a new one.`,
      },
      unlock: {
        title: `Unlock ${name}${forAddress}?`,
        confirm: `Unlock ${name}${forAddress}`,
        body: address
          ? `${name} can sign in again from ${address} at once instead of waiting for the lock to end. Unlock only when you know the failed attempts from there were theirs.`
          : `${name} can sign in again at once instead of waiting for the lock to end. Unlock only when you know the failed attempts were theirs.`,
      },
      'reset-two-factor': {
        title: `Reset two-factor authentication of ${name}?`,
        confirm: `Reset two-factor authentication of ${name}`,
        body: `Their authenticator key and recovery codes stop working and their sessions end. They are emailed, and set up two-factor authentication again at their next sign-in. Do this only after confirming who is asking, for example for a lost phone.`,
      },
    }[kind];
    const withReason = kind === 'unlock' || kind === 'reset-two-factor';
    return renderPage(c, {
      title: text.title,
      status,
      body: (
        <ConfirmPage
          inDialog={isHtmx(c)}
          title={text.title}
          action={`/users/${id}/${kind}`}
          confirmLabel={text.confirm}
          cancelHref={`/users/${id}`}
          errors={errors}
        >
          <p>{text.body}</p>
          {address ? <input type="hidden" name="address" value={address} /> : null}
          {withReason ? (
            <TextAreaField
              name="reason"
              label="Reason"
              hint="Kept in the audit log."
              rows={3}
              maxlength={500}
              required
              value={reason}
              error={errors.reason}
            />
          ) : null}
        </ConfirmPage>
      ),
    });
  };

  app.get('/users/:id/delete', guard(deps, MANAGE), (c) => confirmPage(c, c.req.param('id'), 'delete'));
  app.post('/users/:id/delete', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const details = await userDetails(deps.db, id, now());
      await deleteUser(actionContext(c, deps), id);
      return redirectWithFlash(c, '/users', `${details.user.name} (${details.user.email}) was deleted.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        confirmPage(c, id, 'delete', errors, status as Status),
      );
    }
  });

  app.get('/users/:id/reset-password', guard(deps, MANAGE), (c) =>
    confirmPage(c, c.req.param('id'), 'reset-password'),
  );
  app.post('/users/:id/reset-password', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const result = await resetPassword(actionContext(c, deps), id);
      return renderPage(c, {
        title: 'Password reset',
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
        confirmPage(c, id, 'reset-password', errors, status as Status),
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
    app.get(`/users/:id/${kind}`, guard(deps, MANAGE), (c) =>
      confirmPage(c, c.req.param('id'), kind, {}, 200, '', (c.req.query('address') ?? '').slice(0, 100)),
    );
    app.post(`/users/:id/${kind}`, guard(deps, MANAGE), async (c) => {
      const id = c.req.param('id');
      const form = await formFields(c, ['reason', 'address']);
      try {
        await act(actionContext(c, deps), id, form);
        return redirectWithFlash(c, `/users/${id}`, done);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) =>
          confirmPage(c, id, kind, errors, status as Status, form.reason ?? '', form.address ?? ''),
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
