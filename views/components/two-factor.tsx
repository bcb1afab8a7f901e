import { raw } from 'hono/html';
import type { TotpSetup } from '../../src/auth/two-factor/totp';
import { Field } from './form';

/** The key to enrol: an inline SVG QR code (no script, no request) and the same key as text. */
export function TotpKey({
  setup,
  qrLabel,
  keyLabel,
}: {
  setup: TotpSetup;
  qrLabel: string;
  keyLabel: string;
}) {
  const grouped = setup.key.match(/.{1,4}/g)?.join(' ') ?? setup.key;
  return (
    <div class="totp-setup">
      {/* The SVG comes from the qrcode library (paths only), never from user input. */}
      <div class="qr" role="img" aria-label={qrLabel}>
        {raw(setup.qr)}
      </div>
      <p>
        {keyLabel}: <code class="totp-key">{grouped}</code>
      </p>
    </div>
  );
}

/** The codes, once: a list, a download as a text file (a data: link, no request) and print. */
export function RecoveryCodeList({
  codes,
  file,
  downloadLabel,
  printLabel,
}: {
  codes: string[];
  /** The downloaded file's text. */
  file: string;
  downloadLabel: string;
  printLabel: string;
}) {
  return (
    <>
      <ol class="codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p class="actions no-print">
        <a
          class="button button-secondary"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`}
          download="recovery-codes.txt"
        >
          {downloadLabel}
        </a>
        {/* app.js reveals it: printing needs the page's script. */}
        <button type="button" class="button-secondary" data-print="" hidden>
          {printLabel}
        </button>
      </p>
    </>
  );
}

export const CODE_LABELS = { code: 'Authentication code' };

/** A code step's field: an authenticator code or a recovery code, so letters are allowed. */
export function AuthenticationCodeField({ error }: { error?: string | undefined }) {
  return (
    <Field
      name="code"
      label={CODE_LABELS.code}
      autocomplete="one-time-code"
      hint="6 digits, or a recovery code like abcd-efgh-jkmn-pqrs."
      required
      autofocus
      error={error}
    />
  );
}

/** The code that proves a new authenticator works, under its key (sign-up and My account). */
export function EnrolmentCodeField({ label, error }: { label: string; error?: string | undefined }) {
  return (
    <Field
      name="code"
      label={label}
      autocomplete="one-time-code"
      inputmode="numeric"
      required
      error={error}
    />
  );
}
