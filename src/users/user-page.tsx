import type { Context } from 'hono';
import { UserPage } from '../../views/users/user';
import { NotFoundError } from '../core/errors';
import type { AppDeps } from '../web/env';
import type { SignedInEnv } from '../web/guard';
import type { FormErrors, PageStatus } from '../web/refusal';
import { renderPage, renderStatusPage } from '../web/render';
import { viewerAuditScope } from '../web/session';
import { userDetails } from './details';

/** The user page, where every per-user action comes back to, with its refusal when one was refused. */
export async function renderUserPage(
  c: Context<SignedInEnv>,
  deps: AppDeps,
  id: string,
  errors?: FormErrors,
  status: PageStatus = 200,
) {
  const viewer = c.var.user;
  try {
    const auditScope = viewer.permissions.has('audit.view') ? viewerAuditScope(c) : null;
    const details = await userDetails(deps.db, id, deps.clock.now(), { id: viewer.id, auditScope });
    // A person's events are mostly account-wide (sign-ins): the log's links are for account-wide viewers.
    const canAudit = auditScope?.all === true;
    return renderPage(c, {
      title: `${details.user.name} · Users`,
      status,
      body: (
        <UserPage
          details={details}
          canManage={viewer.permissions.has('users.manage')}
          canAudit={canAudit}
          errors={errors}
        />
      ),
    });
  } catch (error) {
    if (error instanceof NotFoundError) return renderStatusPage(c, 404);
    throw error;
  }
}
