import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ConfirmPage } from '../../views/components/confirm';
import {
  InvitationDetailPage,
  InvitationEditPage,
  InviteForm,
  InviteResultPage,
  type InviteValues,
} from '../../views/invitations/invitations';
import type { Language } from '../db/schema';
import { isLanguage } from '../i18n/messages';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext, viewerScope } from '../web/session';
import {
  editInvitation,
  findInvitation,
  grantableRoles,
  invitationDetails,
  inviteUsers,
  resendInvitation,
  revokeInvitation,
} from './invitations';

const MANAGE = { permission: 'invitations.manage' } as const;

/** The Invitations tab and each invitation's page and actions. */
export function invitationRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();
  const mayAudit = (c: Context<SignedInEnv>) => {
    const actor = c.get('actor');
    return actor.kind === 'user' && actor.permissions.has('audit.view');
  };
  const scopeOf = (c: Context<SignedInEnv>) => viewerScope(c, 'invitations.manage');
  const projectOf = (c: Context<SignedInEnv>) => {
    const actor = c.get('actor');
    return actor.kind === 'user' ? actor.projectId : '';
  };

  const invitePage = async (
    c: Context<SignedInEnv>,
    values?: InviteValues,
    errors?: FormErrors,
    status: ContentfulStatusCode = 200,
  ) => {
    const projectId = values?.projectId || projectOf(c);
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
      title: 'Invite users',
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

  app.get('/invitations/new', guard(deps, MANAGE), (c) => invitePage(c));

  app.post('/invitations', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['emails', 'projectId', 'roleId', 'language', 'hideInviter', 'message']);
    try {
      const outcomes = await inviteUsers(actionContext(c, deps), form);
      return renderPage(c, {
        title: 'Invitations sent',
        body: <InviteResultPage outcomes={outcomes} inDialog={isHtmx(c)} />,
      });
    } catch (error) {
      const values: InviteValues = {
        emails: form.emails ?? '',
        projectId: form.projectId ?? '',
        roleId: form.roleId ?? '',
        language: isLanguage(form.language) ? (form.language as Language) : 'en',
        hideInviter: form.hideInviter === 'on',
        message: form.message ?? '',
      };
      return renderRefusal(c, error, (errors, status) => invitePage(c, values, errors, status));
    }
  });

  app.get('/invitations/:id', guard(deps, MANAGE), async (c) => {
    try {
      const invitation = await invitationDetails(deps.db, c.req.param('id'), scopeOf(c), now());
      return renderPage(c, {
        title: `Invitation for ${invitation.email}`,
        body: <InvitationDetailPage invitation={invitation} now={now()} canAudit={mayAudit(c)} />,
      });
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  const editPage = async (
    c: Context<SignedInEnv>,
    values?: { projectId: string; roleId: string },
    errors?: FormErrors,
    status: ContentfulStatusCode = 200,
  ) => {
    const invitation = await findInvitation(deps.db, c.req.param('id') ?? '', scopeOf(c), now());
    const chosen = values ?? { projectId: invitation.projectId, roleId: invitation.roleId ?? '' };
    return renderPage(c, {
      title: `Edit the invitation for ${invitation.email}`,
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

  app.get('/invitations/:id/edit', guard(deps, MANAGE), async (c) => {
    try {
      return await editPage(c);
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/invitations/:id/edit', guard(deps, MANAGE), async (c) => {
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
    kind: 'resend' | 'revoke',
    errors?: FormErrors,
    status: ContentfulStatusCode = 200,
  ) => {
    const invitation = await findInvitation(deps.db, c.req.param('id') ?? '', scopeOf(c), now());
    const resend = kind === 'resend';
    const title = resend
      ? `Resend the invitation to ${invitation.email}?`
      : `Revoke the invitation of ${invitation.email}?`;
    return renderPage(c, {
      title,
      status,
      body: (
        <ConfirmPage
          inDialog={isHtmx(c)}
          title={title}
          action={`/invitations/${invitation.id}/${kind}`}
          confirmLabel={resend ? 'Resend invitation' : 'Revoke invitation'}
          cancelHref={`/invitations/${invitation.id}`}
          errors={errors}
          danger={!resend}
        >
          <p>
            {resend
              ? 'A new link is emailed, valid for the full invitation period; the earlier link stops working.'
              : 'The link stops working at once. The invitation stays in the list as Revoked.'}
          </p>
        </ConfirmPage>
      ),
    });
  };

  for (const kind of ['resend', 'revoke'] as const) {
    app.get(`/invitations/:id/${kind}`, guard(deps, MANAGE), async (c) => {
      try {
        return await confirmPage(c, kind);
      } catch (error) {
        return renderRefusal(c, error, () => renderStatusPage(c, 404));
      }
    });
  }

  app.post('/invitations/:id/resend', guard(deps, MANAGE), async (c) => {
    try {
      const outcome = await resendInvitation(actionContext(c, deps), c.req.param('id'));
      return renderPage(c, { title: 'Invitation resent', body: <InviteResultPage outcomes={[outcome]} /> });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => confirmPage(c, 'resend', errors, status));
    }
  });

  app.post('/invitations/:id/revoke', guard(deps, MANAGE), async (c) => {
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
