import type { SetupLinkState } from '../../src/auth/setup/setup-link';
import { ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../components/form';

const LABELS = {
  name: 'Your name',
  email: 'Email address',
  password: 'Password',
  confirm: 'Confirm password',
};

/** The first run: the one form that makes the first Account Admin, behind the printed link. */
export function SetupPage({
  action,
  minLength,
  requireTwoFactor,
  values = {},
  errors = {},
}: {
  action: string;
  minLength: number;
  requireTwoFactor: boolean;
  values?: { name?: string | undefined; email?: string | undefined };
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <h1>Create the first Account Admin</h1>
      <p>
        Gatehouse has no users yet. The person you create here is its Account Admin: they may do everything,
        including inviting the other administrators. This link works once.
      </p>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action={action} novalidate>
        <Field
          name="name"
          label={LABELS.name}
          value={values.name}
          autocomplete="name"
          required
          error={errors.name}
        />
        <Field
          name="email"
          label={LABELS.email}
          type="email"
          value={values.email}
          autocomplete="username"
          hint="You sign in with it."
          required
          error={errors.email}
        />
        <NewPasswordFields
          labels={{ password: LABELS.password, confirm: LABELS.confirm }}
          hint={`${minLength} to 128 characters, not a common password, without your name or email. A few unrelated words make a strong password; paste is fine.`}
          errors={errors}
        />
        <button type="submit">Create the Account Admin</button>
      </form>
      {requireTwoFactor ? (
        <p>
          You are signed in as soon as it is done. The account requires two-factor authentication (you can
          turn that off in Settings later), so the next page sets it up: have an authenticator app ready.
        </p>
      ) : (
        <p>You are signed in as soon as it is done.</p>
      )}
    </section>
  );
}

const CLI_COMMAND = 'npm run cli -- create-admin --email you@example.com --name "Your Name"';

/** A setup link that cannot be used, and what to do instead. */
export function SetupLinkUnusablePage({ state }: { state: Exclude<SetupLinkState, 'usable'> }) {
  if (state === 'done')
    return (
      <section class="narrow">
        <h1>Gatehouse is already set up</h1>
        <p>
          Its first Account Admin exists, so setup links no longer work. Sign in, or ask an Account Admin of
          your account to invite you.
        </p>
        <p>
          <a href="/login">Go to the sign-in page</a>
        </p>
        <p>
          If nobody can sign in any more, whoever runs the server can make an Account Admin from the command
          line: <code>{CLI_COMMAND}</code>
        </p>
      </section>
    );
  return (
    <section class="narrow">
      <h1>This setup link cannot be used</h1>
      <p>
        {state === 'expired'
          ? 'The link has expired: it works for one hour after the server printed it.'
          : 'The link is unknown: it may be mistyped, or a later start of the server replaced it with a new one.'}
      </p>
      <p>
        To get a new link, restart the server: while Gatehouse has no user, each start prints a new setup
        link, valid for one hour, and the earlier ones stop working.
      </p>
      <p>
        Or create the first Account Admin from the command line, with the server stopped (the embedded
        database serves one process at a time): <code>{CLI_COMMAND}</code>
      </p>
    </section>
  );
}
