import { ConfirmPage } from '../components/confirm';
import { type FieldErrors, TextAreaField } from '../components/form';
import { plural } from '../components/format';

/** The per-user actions that ask first, each the last part of its path. */
export type UserConfirmKind = 'delete' | 'reset-password' | 'unlock' | 'reset-two-factor';

/** What each confirmation says; `address` narrows an unlock to one client address. */
export function userConfirmText(kind: UserConfirmKind, user: { name: string; email: string }, address = '') {
  const { name, email } = user;
  const forAddress = address ? ` for ${address}` : '';
  return {
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
}

/** Unlock and 2FA reset ask for a reason, kept in the audit log. */
export function UserConfirmPage({
  kind,
  user,
  address = '',
  reason = '',
  errors = {},
  inDialog,
}: {
  kind: UserConfirmKind;
  user: { id: string; name: string; email: string };
  address?: string;
  reason?: string;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const text = userConfirmText(kind, user, address);
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={text.title}
      action={`/users/${user.id}/${kind}`}
      confirmLabel={text.confirm}
      cancelHref={`/users/${user.id}`}
      errors={errors}
    >
      <p>{text.body}</p>
      {address ? <input type="hidden" name="address" value={address} /> : null}
      {kind === 'unlock' || kind === 'reset-two-factor' ? (
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
  );
}

/** "Reset all passwords": everyone active but the actor, counted. */
export function ResetAllPage({
  count,
  running,
  errors = {},
  inDialog,
}: {
  count: number;
  /** A run still going: its page, instead of a second one. */
  running: string | null;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  return (
    <ConfirmPage
      inDialog={inDialog}
      title="Reset all passwords?"
      action="/users/reset-all"
      confirmLabel={`Reset ${plural(count, 'password')}`}
      cancelHref="/users"
      errors={errors}
    >
      <p>
        The passwords of {plural(count, 'person', 'people')} stop working at once and their sessions end; each
        is emailed a link to choose a new one. Yours is not reset. Deactivated people are not emailed, and
        their old passwords stop working too. The emails go out in the background, and its page shows their
        progress; you can leave it and come back.
      </p>
      {running ? (
        <p>
          A reset of all passwords is already running:{' '}
          <a href={`/users/reset-all/${running}`}>see its progress</a>.
        </p>
      ) : null}
    </ConfirmPage>
  );
}
