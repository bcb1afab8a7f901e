import type { MyAccount, MySession, mySecurityEvents } from '../../src/account/my-account';
import { TIME_ZONES } from '../../src/account/time-zones';
import { actionText, OUTCOME_TEXT } from '../../src/audit/actions';
import type { TotpSetup } from '../../src/auth/two-factor/totp';
import { LANGUAGES } from '../../src/i18n/messages';
import { ErrorSummary, Field, type FieldErrors, NewPasswordFields, SelectField } from '../components/form';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';
import { EnrolmentCodeField, RecoveryCodeList, TotpKey } from '../components/two-factor';

const PROFILE_LABELS = { name: 'Name', language: 'Language of emails', time_zone: 'Time zone' };
const PASSWORD_LABELS = {
  current: 'Current password',
  password: 'New password',
  confirm: 'Confirm new password',
};

type SecurityEvent = Awaited<ReturnType<typeof mySecurityEvents>>[number];

export function AccountPage({
  account,
  sessions,
  events,
  errors = {},
  values,
}: {
  account: MyAccount;
  sessions: MySession[];
  events: SecurityEvent[];
  errors?: FieldErrors;
  values?: { name?: string; language?: string; time_zone?: string };
}) {
  const languages = Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }));
  return (
    <section>
      <h1>My account</h1>
      <p>
        Signed in as <strong>{account.email}</strong>.
      </p>

      <section aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <ErrorSummary errors={pick(errors, PROFILE_LABELS)} labels={PROFILE_LABELS} />
        <form method="post" action="/account/profile" novalidate>
          <Field
            name="name"
            label={PROFILE_LABELS.name}
            value={values?.name ?? account.name}
            autocomplete="name"
            required
            error={errors.name}
          />
          <SelectField
            name="language"
            label={PROFILE_LABELS.language}
            options={languages}
            value={values?.language ?? account.language}
            error={errors.language}
          />
          <SelectField
            name="time_zone"
            label={PROFILE_LABELS.time_zone}
            hint="Times in the console are shown in this zone."
            options={TIME_ZONES.map((z) => ({ value: z, label: z.replaceAll('_', ' ') }))}
            value={values?.time_zone ?? account.timeZone}
            error={errors.time_zone}
          />
          <button type="submit">Save profile</button>
        </form>
      </section>

      <section aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <p>
          {account.passwordChangedAt ? (
            <>
              Last changed <Time at={account.passwordChangedAt} />.
            </>
          ) : null}{' '}
          Changing it signs you out everywhere else.
        </p>
        <ErrorSummary errors={pick(errors, PASSWORD_LABELS)} labels={PASSWORD_LABELS} />
        <form method="post" action="/account/password" novalidate>
          <input type="hidden" name="username" value={account.email} autocomplete="username" />
          <Field
            name="current"
            label={PASSWORD_LABELS.current}
            type="password"
            autocomplete="current-password"
            required
            error={errors.current}
          />
          <NewPasswordFields
            labels={PASSWORD_LABELS}
            hint={`${account.minLength} to 128 characters, not a common password, without your name or email.`}
            errors={errors}
          />
          <button type="submit">Change password</button>
        </form>
      </section>

      <section aria-labelledby="two-factor-title">
        <h2 id="two-factor-title">Two-factor authentication</h2>
        {account.twoFactor ? (
          <>
            <p>
              <strong>On.</strong> You sign in with your password and a code from your authenticator app.{' '}
              <span class={account.codesLeft <= 3 ? 'warning' : undefined}>
                {account.codesLeft} recovery code{account.codesLeft === 1 ? '' : 's'} left.
              </span>
            </p>
            <div class="row-actions">
              <a class="button button-secondary" href="/account/two-factor/recovery-codes">
                Make new recovery codes
              </a>
              {account.requireTwoFactor ? null : (
                <a class="button button-secondary" href="/account/two-factor/remove">
                  Remove two-factor authentication
                </a>
              )}
            </div>
            {account.requireTwoFactor ? (
              <p class="hint">Your account requires two-factor authentication, so it cannot be removed.</p>
            ) : null}
          </>
        ) : (
          <>
            <p>
              <strong>Not set up.</strong>{' '}
              {account.requireTwoFactor
                ? 'Your account requires it.'
                : 'A code from your phone at sign-in keeps your account safe even if your password leaks.'}
            </p>
            <a class="button" href="/account/two-factor">
              Set up two-factor authentication
            </a>
          </>
        )}
      </section>

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <TableScroll captionId="sessions-caption">
          <table>
            <caption id="sessions-caption" class="visually-hidden">
              Where you are signed in
            </caption>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr>
                  <td>
                    {s.browser}
                    {s.current ? <strong> (this device)</strong> : null}
                  </td>
                  <td>{s.ip ?? 'Unknown'}</td>
                  <td>
                    <Time at={s.createdAt} />
                  </td>
                  <td>
                    <Time at={s.lastSeenAt} />
                  </td>
                  <td>
                    <form method="post" action={`/account/sessions/${s.id}/end`}>
                      <button type="submit" class="button-link">
                        Sign out
                        <span class="visually-hidden">
                          {' '}
                          {s.current ? (
                            'this device'
                          ) : (
                            <>
                              {s.browser}, last seen <Time at={s.lastSeenAt} />
                            </>
                          )}
                        </span>
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {sessions.length > 1 ? (
          <form method="post" action="/account/sessions/end-others">
            <button type="submit" class="button-secondary">
              Sign out all other sessions
            </button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="events-title">
        <h2 id="events-title">Recent security events</h2>
        {events.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <TableScroll captionId="events-caption">
            <table>
              <caption id="events-caption" class="visually-hidden">
                Your last {events.length} security events, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Result</th>
                  <th scope="col">IP address</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr>
                    <td>
                      <Time at={e.occurred_at} />
                    </td>
                    <td>{actionText(e.action)}</td>
                    <td>{OUTCOME_TEXT[e.outcome]}</td>
                    <td>{e.ip ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </section>
  );
}

function pick(errors: FieldErrors, labels: Record<string, string>): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([key]) => key in labels));
}

/** Sensitive actions ask for the password again when the last proof is over 10 minutes old. */
export function ConfirmPasswordPage({
  action,
  email,
  errors = {},
}: {
  action: string;
  email: string;
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <h1>Confirm your password</h1>
      <p>This action changes how you or others sign in, so confirm it is you first.</p>
      <ErrorSummary errors={errors} labels={{ password: 'Password' }} />
      <form method="post" action={action} novalidate>
        <input type="hidden" name="username" value={email} autocomplete="username" />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          error={errors.password}
        />
        <button type="submit">Confirm</button>
      </form>
    </section>
  );
}

/** Enrolment: start (a POST makes the key), then the QR code, the key as text and a code to confirm. */
export function EnrolPage({
  pending,
  required,
  errors = {},
}: {
  pending: TotpSetup | null;
  required: boolean;
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <h1>Set up two-factor authentication</h1>
      {required ? <p>Your account requires two-factor authentication. Set it up to continue.</p> : null}
      <ErrorSummary errors={errors} labels={{ code: 'Code from the app' }} />
      {pending ? (
        <>
          <p>
            Scan the QR code with an authenticator app (for example Google Authenticator, Microsoft
            Authenticator, 1Password or Aegis), or type the key into it. Then enter the 6-digit code it shows.
          </p>
          <TotpKey setup={pending} qrLabel="QR code of the key below" keyLabel="Key" />
          <form method="post" action="/account/two-factor/confirm" novalidate>
            <EnrolmentCodeField label="Code from the app" error={errors.code} />
            <button type="submit">Turn on two-factor authentication</button>
          </form>
        </>
      ) : (
        <>
          <p>
            You will need an authenticator app on your phone or computer. Gatehouse shows you a key to add to
            it; after that, each sign-in asks for the code the app shows.
          </p>
          <form method="post" action="/account/two-factor">
            <button type="submit">Start</button>
          </form>
        </>
      )}
      <form method="post" action="/logout">
        <button type="submit" class="button-link">
          Sign out
        </button>
      </form>
    </section>
  );
}

/** Shown once, right after they are made: only their hashes are kept. */
export function NewRecoveryCodesPage({
  codes,
  email,
  accountName,
}: {
  codes: string[];
  email: string;
  accountName: string;
}) {
  const file = `Recovery codes for ${email} (${accountName})\nEach code works once.\n\n${codes.join('\n')}\n`;
  return (
    <section class="narrow recovery-codes">
      <h1>Your recovery codes</h1>
      <p>
        Keep these somewhere safe, away from your phone. Each code signs you in once if you lose your
        authenticator. They are shown only now; any older codes no longer work.
      </p>
      <RecoveryCodeList
        codes={codes}
        file={file}
        downloadLabel="Download the codes"
        printLabel="Print the codes"
      />
      <p class="no-print">
        <a class="button" href="/account">
          I have saved them
        </a>
      </p>
    </section>
  );
}
