import { ErrorSummary, type FieldErrors, NewPasswordFields } from '../components/form';
import { Time } from '../components/time';
import { AuthenticationCodeField, CODE_LABELS } from '../components/two-factor';

export interface SetPasswordProps {
  action: string;
  email: string;
  name: string;
  minLength: number;
  /** A reset the user asked for, rather than a first password or an admin's reset. */
  reset?: boolean;
  errors?: FieldErrors;
}

const LABELS = { password: 'New password', confirm: 'Confirm new password' };

export function SetPasswordPage({ action, email, name, minLength, reset, errors = {} }: SetPasswordProps) {
  return (
    <section class="narrow">
      <h1>{reset ? 'Choose a new password' : 'Set your password'}</h1>
      <p>
        Hello {name}. Choose the password you will sign in with as <strong>{email}</strong>.
      </p>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action={action} novalidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="hidden" name="username" value={email} autocomplete="username" />
        <NewPasswordFields
          labels={LABELS}
          hint={`${minLength} to 128 characters, not a common password, without your name or email. A few unrelated words make a strong password; paste is fine.`}
          errors={errors}
        />
        <button type="submit">{reset ? 'Save new password' : 'Set password'}</button>
      </form>
    </section>
  );
}

export function LinkNotUsablePage() {
  return (
    <section class="narrow">
      <h1>This link cannot be used</h1>
      <p>
        The link is unknown, has already been used, has been replaced by a newer one, or has expired. Ask for
        a new one on the <a href="/forgot-password">forgot-password page</a>, or ask an administrator of your
        account.
      </p>
      <p>
        <a href="/login">Go to the sign-in page</a>
      </p>
    </section>
  );
}

/** An emailed link for a user with 2FA: a code first, then the new password (or the unlock). */
export function LinkCodePage({
  action,
  email,
  errors = {},
  blockedUntil,
  before = 'before you choose the new password',
}: {
  action: string;
  email: string;
  errors?: FieldErrors;
  blockedUntil?: Date | null;
  /** What the code comes before, in words. */
  before?: string;
}) {
  return (
    <section class="narrow">
      <h1>Confirm it is you</h1>
      <ErrorSummary errors={errors} labels={CODE_LABELS} />
      <p>
        <strong>{email}</strong> uses two-factor authentication. Enter the 6-digit code your authenticator app
        shows, or one of your recovery codes, {before}.
      </p>
      {blockedUntil ? (
        <p>
          Too many wrong codes. Try again after <Time at={blockedUntil} />.
        </p>
      ) : null}
      <form method="post" action={action} novalidate>
        <AuthenticationCodeField error={errors.code} />
        <button type="submit">Continue</button>
      </form>
    </section>
  );
}

/** The owner's emailed link after an account-wide lock: one button ends it. */
export function UnlockPage({ action, email }: { action: string; email: string }) {
  return (
    <section class="narrow">
      <h1>End the lock on your account</h1>
      <p>
        Your account <strong>{email}</strong> was locked after many failed sign-ins. If they were yours, end
        the lock and sign in with your password. If they were not, someone may be guessing your password:
        reset it on the <a href="/forgot-password">forgot-password page</a> instead.
      </p>
      <form method="post" action={action}>
        <button type="submit">End the lock</button>
      </form>
    </section>
  );
}
