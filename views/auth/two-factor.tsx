import type { TotpSetup } from '../../src/auth/two-factor/totp';
import { ConfirmPage } from '../components/confirm';
import { ErrorSummary, type FieldErrors } from '../components/form';
import { EnrolmentCodeField, RecoveryCodeList, TotpKey } from '../components/two-factor';

/** Enrolment: start (a POST makes the key), then the QR code, the key as text and a code to confirm. */
export function EnrolPage({
  pending,
  required,
  errors = {},
  next,
}: {
  pending: TotpSetup | null;
  required: boolean;
  errors?: FieldErrors;
  /** Where the person was going (an application's sign-in): the forms carry it on. */
  next?: string | null;
}) {
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
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
          <form method="post" action={`/account/two-factor/confirm${q}`} novalidate>
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
          <form method="post" action={`/account/two-factor${q}`}>
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
  next,
}: {
  codes: string[];
  email: string;
  accountName: string;
  /** Where to go on once they are saved (an application's sign-in), else My account. */
  next?: string | null;
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
        <a class="button" href={next ?? '/account'}>
          I have saved them
        </a>
      </p>
    </section>
  );
}

/** The 2FA changes on My account that ask first, each the last part of its path. */
export type TwoFactorChange = 'recovery-codes' | 'remove';

export const TWO_FACTOR_CHANGES: Record<
  TwoFactorChange,
  { title: string; body: string; confirm: string; danger: boolean }
> = {
  'recovery-codes': {
    title: 'Make new recovery codes?',
    body: 'You get ten new codes, shown once. Your current codes stop working.',
    confirm: 'Make new recovery codes',
    danger: false,
  },
  remove: {
    title: 'Remove two-factor authentication?',
    body: 'Signing in will need only your password. Your authenticator key and recovery codes stop working.',
    confirm: 'Remove two-factor authentication',
    danger: true,
  },
};

/** A GET page for each, so "confirm your password" can come back to it. */
export function TwoFactorChangePage({
  change,
  errors,
  inDialog,
}: {
  change: TwoFactorChange;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const text = TWO_FACTOR_CHANGES[change];
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={text.title}
      action={`/account/two-factor/${change}`}
      confirmLabel={text.confirm}
      cancelHref="/account"
      errors={errors}
      danger={text.danger}
    >
      <p>{text.body}</p>
    </ConfirmPage>
  );
}
