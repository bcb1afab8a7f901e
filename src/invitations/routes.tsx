import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  type InvitationChange,
  InvitationConfirmPage,
  invitationConfirmTitle,
} from '../../views/invitations/confirm';
import { InvitationDetailPage } from '../../views/invitations/invitation';
import { InvitationEditPage } from '../../views/invitations/invitation-edit';
import { InviteForm, type InviteValues } from '../../views/invitations/invite-form';
import { InviteResultPage } from '../../views/invitations/invite-result';
import { isLanguage } from '../i18n/messages';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext, viewerScope } from '../web/session';
import { findInvitation, invitationDetails } from './details';
import { inviteUsers } from './invite';
import { grantableRoles } from './invite-rules';
import { invitationListRoutes } from './list-routes';
import { editInvitation, resendInvitation, revokeInvitation } from './manage';

const MANAGE = { permission: 'invitations.manage' } as const;

/**
 * The invitations area, mounted on /invitations: the list (list-routes.tsx) first, then inviting
 * people (/invitations/new before /invitations/:id), and each invitation's page and actions.
 */
export function invitationRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.route('/', invitationListRoutes(deps));
  const now = () => deps.clock.now();
  const scopeOf = (c: Context<SignedInEnv>) => viewerScope(c, 'invitations.manage');

  const invitePage = async (
    c: Context<SignedInEnv>,
    values?: InviteValues,
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const projectId = values?.projectId || c.var.user.projectId;
    const roles = await grantableRoles(deps.db, actionContext(c, deps), projectId);
    const defaults: InviteValues = {
      emails: '',
      projectId,
      roleId: '',
      language: 'en',
      hideInviter: false,
      message: '',
    };
    return renderPage(c, {
      title: 'Invite users · Invitations',
      status,
      body: (
        <InviteForm
          values={values ?? defaults}
          projects={c.get('projects')}
          roles={roles}
          errors={errors}
          inDialog={isHtmx(c)}
          submitted={values !== undefined}
        />
      ),
    });
  };

  app.get('/new', guard(deps, MANAGE), (c) => invitePage(c));

  app.post('/', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['emails', 'projectId', 'roleId', 'language', 'hideInviter', 'message']);
    try {
      const outcomes = await inviteUsers(actionContext(c, deps), form);
      return renderPage(c, {
        title: 'Invitations sent · Invitations',
        body: <InviteResultPage outcomes={outcomes} inDialog={isHtmx(c)} />,
      });
    } catch (error) {
      const values: InviteValues = {
        emails: form.emails ?? '',
        projectId: form.projectId ?? '',
        roleId: form.roleId ?? '',
        language: isLanguage(form.language) ? form.language : 'en',
        hideInviter: form.hideInviter === 'on',
        message: form.message ?? '',
      };
      return renderRefusal(c, error, (errors, status) => invitePage(c, values, errors, status));
    }
  });

  app.get('/:id', guard(deps, MANAGE), async (c) => {
    try {
      const invitation = await invitationDetails(deps.db, c.req.param('id'), scopeOf(c), now());
      return renderPage(c, {
        title: `Invitation for ${invitation.email} · Invitations`,
        body: (
          <InvitationDetailPage
            invitation={invitation}
            now={now()}
            canAudit={c.var.user.permissions.has('audit.view')}
          />
        ),
      });
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  const editPage = async (
    c: Context<SignedInEnv>,
    values?: { projectId: string; roleId: string },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const invitation = await findInvitation(deps.db, c.req.param('id') ?? '', scopeOf(c), now());
    const chosen = values ?? { projectId: invitation.projectId, roleId: invitation.roleId ?? '' };
    return renderPage(c, {
      title: `Edit the invitation for ${invitation.email} · Invitations`,
      status,
      body: (
        <InvitationEditPage
          invitation={invitation}
          values={chosen}
          projects={c.get('projects')}
          roles={await grantableRoles(deps.db, actionContext(c, deps), chosen.projectId)}
          errors={errors}
          inDialog={isHtmx(c)}
        />
      ),
    });
  };

  app.get('/:id/edit', guard(deps, MANAGE), async (c) => {
    try {
      return await editPage(c);
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/:id/edit', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['projectId', 'roleId']);
    try {
      await editInvitation(actionContext(c, deps), id, form);
      return redirectWithFlash(
        c,
        `/invitations/${id}`,
        'The invitation was changed; its link stays the same.',
      );
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        editPage(c, { projectId: form.projectId ?? '', roleId: form.roleId ?? '' }, errors, status),
      );
    }
  });

  const confirmPage = async (
    c: Context<SignedInEnv>,
    change: InvitationChange,
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const invitation = await findInvitation(deps.db, c.req.param('id') ?? '', scopeOf(c), now());
    return renderPage(c, {
      title: `${invitationConfirmTitle(change, invitation.email)} · Invitations`,
      status,
      body: (
        <InvitationConfirmPage change={change} invitation={invitation} errors={errors} inDialog={isHtmx(c)} />
      ),
    });
  };

  for (const change of ['resend', 'revoke'] as const) {
    app.get(`/:id/${change}`, guard(deps, MANAGE), async (c) => {
      try {
        return await confirmPage(c, change);
      } catch (error) {
        return renderRefusal(c, error, () => renderStatusPage(c, 404));
      }
    });
  }

  app.post('/:id/resend', guard(deps, MANAGE), async (c) => {
    try {
      const outcome = await resendInvitation(actionContext(c, deps), c.req.param('id'));
      return renderPage(c, {
        title: 'Invitation resent · Invitations',
        body: <InviteResultPage outcomes={[outcome]} />,
      });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => confirmPage(c, 'resend', errors, status));
    }
  });

  app.post('/:id/revoke', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      const { email } = await revokeInvitation(actionContext(c, deps), id);
      return redirectWithFlash(
        c,
        `/invitations/${id}`,
        `The invitation of ${email} was revoked; its link no longer works.`,
      );
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => confirmPage(c, 'revoke', errors, status));
    }
  });

  return app;
}
