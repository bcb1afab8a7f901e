import type { TotpSetup } from '../../src/auth/two-factor/totp';
import type { Language } from '../../src/db/schema';
import { longDate, messages } from '../../src/i18n/messages';
import type { InvitationUnusable, InvitationView } from '../../src/invitations/invitee-link';
import { ErrorSummary, Field, type FieldErrors, NewPasswordFields } from '../components/form';
import { EnrolmentCodeField, RecoveryCodeList, TotpKey } from '../components/two-factor';

/** The invitee's pages, in the invitation's language (src/i18n/messages.ts). */

export function InvitePage({
  invitation: i,
  token,
  signedInAs,
}: {
  invitation: InvitationView;
  token: string;
  /** The email of whoever is signed in in this browser, if anyone. */
  signedInAs: string | null;
}) {
  const t = messages(i.language);
  const base = `/invite/${token}`;
  const sameUser = signedInAs !== null && signedInAs.toLowerCase() === i.email.toLowerCase();
  return (
    <section class="narrow">
      <h1>{t.inviteTitle(i.accountName)}</h1>
      <p>
        {t.invitedYou({
          inviter: i.inviter,
          account: i.accountName,
          project: i.projectName,
          role: i.roleName,
        })}
      </p>
      <p>{t.expiresOn(longDate(i.expiresAt, i.language))}</p>
      {signedInAs !== null && !sameUser ? (
        <div class="callout">
          <p>{t.otherPersonSignedIn(i.email)}</p>
          <form method="post" action="/logout">
            <button type="submit">{t.signOut}</button>
          </form>
        </div>
      ) : null}
      {i.hasAccount && signedInAs === null ? <p>{t.existingAccount(i.email)}</p> : null}
      <div class="actions">
        {sameUser ? (
          <form method="post" action={`${base}/accept`}>
            <button type="submit">{t.acceptInvitation}</button>
          </form>
        ) : i.hasAccount ? (
          signedInAs === null ? (
            <a class="button" href={`/login?next=${encodeURIComponent(base)}`}>
              {t.signInToAccept}
            </a>
          ) : null
        ) : (
          <a class="button" href={`${base}/sign-up`}>
            {t.acceptInvitation}
          </a>
        )}
        <form method="post" action={`${base}/decline`}>
          <button type="submit" class="button-secondary">
            {t.decline}
          </button>
        </form>
      </div>
    </section>
  );
}

export function SignupPage({
  invitation: i,
  token,
  values = {},
  errors = {},
}: {
  invitation: InvitationView;
  token: string;
  values?: { name?: string };
  errors?: FieldErrors;
}) {
  const t = messages(i.language);
  const labels = { name: t.name, password: t.password, confirm: t.confirmPassword };
  return (
    <section class="narrow">
      <h1>{t.createAccount}</h1>
      <p>
        {t.invitedYou({
          inviter: i.inviter,
          account: i.accountName,
          project: i.projectName,
          role: i.roleName,
        })}
      </p>
      <p>{t.createAccountIntro(i.email)}</p>
      <ErrorSummary errors={errors} labels={labels} title={t.errorSummary} />
      <form method="post" action={`/invite/${token}/sign-up`} novalidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="hidden" name="username" value={i.email} autocomplete="username" />
        <Field
          name="name"
          label={t.name}
          value={values.name}
          autocomplete="name"
          required
          error={errors.name}
        />
        <NewPasswordFields
          labels={{ password: t.password, confirm: t.confirmPassword }}
          hint={t.passwordHint(i.passwordMinLength)}
          errors={errors}
        />
        <button type="submit">{t.continue}</button>
      </form>
    </section>
  );
}

/** The QR code is an inline SVG (no script, no request); the key beside it is the same secret as text. */
export function TwoFactorPage({
  language,
  token,
  setup,
  errors = {},
}: {
  language: Language;
  token: string;
  setup: TotpSetup;
  errors?: FieldErrors;
}) {
  const t = messages(language);
  return (
    <section class="narrow">
      <h1>{t.twoFactorTitle}</h1>
      <p>{t.twoFactorIntro}</p>
      <ErrorSummary errors={errors} labels={{ code: t.codeLabel }} title={t.errorSummary} />
      <TotpKey setup={setup} qrLabel={t.qrLabel} keyLabel={t.keyLabel} />
      <form method="post" action={`/invite/${token}/two-factor`} novalidate>
        <EnrolmentCodeField label={t.codeLabel} error={errors.code} />
        <button type="submit">{t.verify}</button>
      </form>
    </section>
  );
}

/** Shown once: the codes are stored hashed. Download is a data: link, print is the browser's. */
export function RecoveryCodesPage({
  language,
  token,
  codes,
  accountName,
  email,
}: {
  language: Language;
  token: string;
  codes: string[] | null;
  accountName: string;
  email: string;
}) {
  const t = messages(language);
  const file = `${t.codesFileHeader(accountName, email)}\n\n${(codes ?? []).join('\n')}\n`;
  return (
    <section class="narrow recovery-codes">
      <h1>{t.codesTitle}</h1>
      <p>{t.codesIntro}</p>
      {codes ? (
        <RecoveryCodeList
          codes={codes}
          file={file}
          downloadLabel={t.codesDownload}
          printLabel={t.codesPrint}
        />
      ) : (
        <form method="post" action={`/invite/${token}/recovery-codes`} class="no-print">
          <button type="submit" class="button-secondary">
            {t.codesAgain}
          </button>
        </form>
      )}
      <form method="post" action={`/invite/${token}/finish`} class="no-print">
        <button type="submit">{t.codesFinish}</button>
      </form>
    </section>
  );
}

export function DeclinedPage({ language, accountName }: { language: Language; accountName: string }) {
  const t = messages(language);
  return (
    <section class="narrow">
      <h1>{t.declinedTitle}</h1>
      <p role="status">{t.declinedBody(accountName)}</p>
    </section>
  );
}

export function unusableTitle(error: InvitationUnusable): string {
  return messages(error.language).notUsable[error.state].title;
}

/** Says which (expired, withdrawn, declined, used, unknown) and what to do; nothing about accounts. */
export function InvitationUnusablePage({ error }: { error: InvitationUnusable }) {
  const t = messages(error.language);
  const text = t.notUsable[error.state];
  return (
    <section class="narrow">
      <h1>{text.title}</h1>
      <p>{text.body}</p>
      <p>
        <a href="/login">{t.goToSignIn}</a>
      </p>
    </section>
  );
}
