import { HOTP, Secret, TOTP } from 'otpauth';
import { toString as qrCode } from 'qrcode';

// RFC 6238 with the parameters every authenticator app supports (SHA-1, 6 digits, 30 s).
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** Steps either side of now still accepted, for a phone clock that is a little off. */
const DRIFT_STEPS = 1;

/** 160 random bits, base32 without padding (32 characters). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(input: { secret: string; account: string; issuer: string }): string {
  return new TOTP({
    issuer: input.issuer,
    label: input.account,
    secret: Secret.fromBase32(input.secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
  }).toString();
}

export function totpCode(secret: string, now: Date): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    counter: step(now),
  });
}

/**
 * The time step of the code if it is valid within the drift allowed and later than `lastStep`, the
 * step accepted last time (a code is accepted once); otherwise null.
 */
export function verifyTotp(secret: string, code: string, now: Date, lastStep: number | null): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(token)) return null;
  const key = Secret.fromBase32(secret);
  const current = step(now);
  for (let candidate = current - DRIFT_STEPS; candidate <= current + DRIFT_STEPS; candidate++) {
    if (lastStep !== null && candidate <= lastStep) continue;
    // One step at a time: otpauth's own window stops at its first match and reports no step.
    const delta = HOTP.validate({
      token,
      secret: key,
      algorithm: ALGORITHM,
      digits: DIGITS,
      counter: candidate,
      window: 0,
    });
    if (delta === 0) return candidate;
  }
  return null;
}

/** What an enrolment page shows: the key as text and, for the camera, as a QR code. */
export interface TotpSetup {
  key: string;
  qr: string;
}

export async function totpSetup(input: {
  secret: string;
  account: string;
  issuer: string;
}): Promise<TotpSetup> {
  return { key: input.secret, qr: await qrSvg(totpUri(input)) };
}

/** The QR code as inline SVG, dark modules on white so it scans in a dark theme too. */
export async function qrSvg(text: string): Promise<string> {
  const svg = await qrCode(text, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#000000', light: '#ffffff' },
  });
  // Inline in HTML an XML declaration is stray text.
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').trim();
}

function step(now: Date): number {
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS);
}
