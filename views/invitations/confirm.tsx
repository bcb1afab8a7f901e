import type { InvitationSummary } from '../../src/invitations/details';
import { ConfirmPage } from '../components/confirm';
import type { FieldErrors } from '../components/form';

/** The changes to an open invitation that ask first, each the last part of its path. */
export type InvitationChange = 'resend' | 'revoke';

export const invitationConfirmTitle = (change: InvitationChange, email: string) =>
  change === 'resend' ? `Resend the invitation to ${email}?` : `Revoke the invitation of ${email}?`;

export function InvitationConfirmPage({
  change,
  invitation,
  errors,
  inDialog,
}: {
  change: InvitationChange;
  invitation: Pick<InvitationSummary, 'id' | 'email'>;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const resend = change === 'resend';
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={invitationConfirmTitle(change, invitation.email)}
      action={`/invitations/${invitation.id}/${change}`}
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
  );
}
