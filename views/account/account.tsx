import type { MySession } from '../../src/account/my-sessions';
import type { MyAccount } from '../../src/account/profile';
import type { SecurityEvent } from '../../src/account/security-events';
import { TIME_ZONES } from '../../src/account/time-zones';
import type { TokenListing } from '../../src/api/tokens';
import { LANGUAGES } from '../../src/i18n/messages';
import { type TokenFormValues, TokensSection } from '../api/tokens';
import { ErrorSummary, Field, type FieldErrors, NewPasswordFields, SelectField } from '../components/form';
import { Time } from '../components/time';
import { SecurityEventsSection } from './security-events';
import { SessionsSection } from './sessions';
import { TwoFactorSection } from './two-factor-section';

const PROFILE_LABELS = { name: 'Name', language: 'Language of emails', time_zone: 'Time zone' };
const PASSWORD_LABELS = {
  current: 'Current password',
  password: 'New password',
  confirm: 'Confirm new password',
};

export function AccountPage({
  account,
  sessions,
  events,
  errors = {},
  values,
  tokens,
}: {
  account: MyAccount;
  sessions: MySession[];
  events: SecurityEvent[];
  errors?: FieldErrors;
  values?: { name?: string; language?: string; time_zone?: string };
  tokens: {
    list: TokenListing[];
    choosable: ReadonlyArray<readonly [string, string]>;
    mayNeverExpire: boolean;
    form?: { values: TokenFormValues; errors: FieldErrors } | undefined;
    now: Date;
  };
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

      <TwoFactorSection account={account} />
      <SessionsSection sessions={sessions} />
      <TokensSection
        tokens={tokens.list}
        base="/account/tokens"
        whose="you"
        choosable={tokens.choosable}
        mayNeverExpire={tokens.mayNeverExpire}
        values={tokens.form?.values}
        errors={tokens.form?.errors}
        now={tokens.now}
      />
      <SecurityEventsSection events={events} />

      {/* Only with JavaScript, which alone has shortcuts (public/js/app.js shows it). WCAG 2.1.4:
          a one-key shortcut can be turned off. */}
      <section aria-labelledby="shortcuts-title" data-shortcuts-setting="" hidden>
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <div class="field">
          <label class="choice">
            <input type="checkbox" id="shortcuts" /> Press <kbd>/</kbd> to go to a list's search box
          </label>
          <p class="hint">
            Remembered in this browser. Turn it off if the key gets in the way of your assistive technology.
          </p>
        </div>
      </section>
    </section>
  );
}

function pick(errors: FieldErrors, labels: Record<string, string>): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([key]) => key in labels));
}
