import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
} from '../../src/auth/two-factor/recovery-codes';
import { decryptSecret, encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret, qrSvg, totpCode, totpUri, verifyTotp } from '../../src/auth/two-factor/totp';
import { hasOathtool, oathtool } from '../helpers/oathtool';

// RFC 6238's SHA-1 test key, "12345678901234567890" in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const NOW = new Date('2026-03-14T15:09:26Z');
const STEP = Math.floor(NOW.getTime() / 1000 / 30);

function stepsFrom(now: Date, steps: number): Date {
  return new Date(now.getTime() + steps * 30_000);
}

describe('TOTP', () => {
  it.skipIf(!hasOathtool)('matches oathtool at fixed instants', () => {
    const instants = [
      '1970-01-01T00:00:59Z',
      '2005-03-18T01:58:29Z',
      '2009-02-13T23:31:30Z',
      '2026-03-14T15:09:26Z',
      '2026-12-31T23:59:59Z',
      '2033-05-18T03:33:20Z',
    ].map((text) => new Date(text));
    // The RFC's own vector, truncated to six digits (94287082 at T = 59 s).
    expect(totpCode(RFC_SECRET, new Date('1970-01-01T00:00:59Z'))).toBe('287082');
    for (const secret of [RFC_SECRET, newTotpSecret()]) {
      for (const at of instants) {
        const code = oathtool(secret, at);
        expect(code).toMatch(/^[0-9]{6}$/);
        expect(totpCode(secret, at)).toBe(code);
        expect(verifyTotp(secret, code, at, null)).toBe(Math.floor(at.getTime() / 1000 / 30));
      }
    }
  });

  it('accepts one step of drift either way and no more', () => {
    for (const drift of [-1, 0, 1]) {
      const code = totpCode(RFC_SECRET, stepsFrom(NOW, drift));
      expect(verifyTotp(RFC_SECRET, code, NOW, null)).toBe(STEP + drift);
    }
    for (const drift of [-2, 2]) {
      const code = totpCode(RFC_SECRET, stepsFrom(NOW, drift));
      expect(verifyTotp(RFC_SECRET, code, NOW, null)).toBeNull();
    }
  });

  it('accepts a code once, and no earlier code after it', () => {
    const code = totpCode(RFC_SECRET, NOW);
    const step = verifyTotp(RFC_SECRET, code, NOW, STEP - 1);
    expect(step).toBe(STEP);
    expect(verifyTotp(RFC_SECRET, code, NOW, step)).toBeNull();
    expect(verifyTotp(RFC_SECRET, code, stepsFrom(NOW, 1), step)).toBeNull();
    const earlier = totpCode(RFC_SECRET, stepsFrom(NOW, -1));
    expect(verifyTotp(RFC_SECRET, earlier, NOW, step)).toBeNull();
    const later = totpCode(RFC_SECRET, stepsFrom(NOW, 1));
    expect(verifyTotp(RFC_SECRET, later, NOW, step)).toBe(STEP + 1);
  });

  it('ignores spaces and refuses anything but six digits', () => {
    const code = totpCode(RFC_SECRET, NOW);
    expect(verifyTotp(RFC_SECRET, ` ${code.slice(0, 3)} ${code.slice(3)} `, NOW, null)).toBe(STEP);
    const window = [-1, 0, 1].map((drift) => totpCode(RFC_SECRET, stepsFrom(NOW, drift)));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(window).not.toContain(wrong);
    for (const bad of [
      wrong,
      code.slice(1),
      `${code}0`,
      `0${code}`,
      'abcdef',
      `${code.slice(0, 5)}a`,
      '',
      '١٢٣٤٥٦',
    ]) {
      expect(verifyTotp(RFC_SECRET, bad, NOW, null)).toBeNull();
    }
  });

  it('makes 160-bit secrets', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    // Base32 carries 5 bits a character: 32 characters are 160 bits, with no padding.
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(b).toMatch(/^[A-Z2-7]{32}$/);
    expect(a).not.toBe(b);
  });

  it('writes the otpauth URI', () => {
    const uri = totpUri({ secret: RFC_SECRET, account: 'ada@example.com', issuer: 'Gatehouse' });
    expect(uri).toBe(
      `otpauth://totp/Gatehouse:ada%40example.com?issuer=Gatehouse&secret=${RFC_SECRET}&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('draws the QR code as inline SVG, black on white', async () => {
    const svg = await qrSvg(totpUri({ secret: RFC_SECRET, account: 'ada@example.com', issuer: 'Gatehouse' }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<path');
    expect(svg).toContain('#000000');
    expect(svg).toContain('#ffffff');
    expect(svg).not.toMatch(/<script|<\?xml/i);
  });
});

describe('secret box', () => {
  const key = randomBytes(32);

  /** The box with one byte of one part flipped. */
  function tampered(box: string, part: 1 | 2 | 3): string {
    const parts = box.split('.');
    const bytes = Buffer.from(parts[part] ?? '', 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    parts[part] = bytes.toString('base64url');
    return parts.join('.');
  }

  it('round-trips, with a fresh IV each time', () => {
    const secret = newTotpSecret();
    const a = encryptSecret(key, secret);
    const b = encryptSecret(key, secret);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(decryptSecret(key, a)).toBe(secret);
    expect(decryptSecret(key, b)).toBe(secret);
    for (const text of ['', 'ünïcödé 🔑']) expect(decryptSecret(key, encryptSecret(key, text))).toBe(text);
  });

  it('throws on an altered IV, ciphertext or tag', () => {
    const box = encryptSecret(key, newTotpSecret());
    for (const part of [1, 2, 3] as const) {
      expect(() => decryptSecret(key, tampered(box, part))).toThrow(Error);
    }
  });

  it('throws with another key', () => {
    const box = encryptSecret(key, 'secret');
    expect(() => decryptSecret(randomBytes(32), box)).toThrow(Error);
    expect(() => decryptSecret(key.subarray(0, 16), box)).toThrow(Error);
  });

  it('throws on a malformed box', () => {
    const box = encryptSecret(key, 'secret');
    const [, iv, ciphertext, tag = ''] = box.split('.');
    const shortTag = Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url');
    for (const bad of [
      '',
      'v1',
      box.replace('v1.', 'v2.'),
      `${box}.`,
      `v1.${iv}.${ciphertext}`,
      `v1.${iv}.${ciphertext}.${shortTag}`,
      `v1.${iv}!.${ciphertext}.${tag}`,
    ]) {
      expect(() => decryptSecret(key, bad)).toThrow(Error);
    }
  });
});

describe('recovery codes', () => {
  const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/;

  it('makes ten distinct codes of 16 symbols', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
    expect(newRecoveryCodes(3)).toHaveLength(3);
  });

  it('draws from 32 symbols, so 16 of them carry 80 bits', () => {
    const symbols = new Set(newRecoveryCodes(1000).join('').replaceAll('-', ''));
    // 16,000 draws: each of the 32 symbols is expected 500 times.
    expect(symbols.size).toBe(32);
    expect(16 * Math.log2(symbols.size)).toBeGreaterThanOrEqual(80);
  });

  it('ignores case, spaces and dashes, and reads o as 0 and i or l as 1', () => {
    const code = 'abcd-ef01-hjkm-np23';
    expect(normaliseRecoveryCode(code)).toBe('abcdef01hjkmnp23');
    const hash = hashRecoveryCode(code);
    expect(hash).toHaveLength(32);
    for (const variant of [
      ' ABCD-EF01-HJKM-NP23 ',
      'abcdef01hjkmnp23',
      'abcd ef01 hjkm np23',
      'ABCD-EFOI-HJKM-NP23',
      'abcd-efol-hjkm-np23',
    ]) {
      expect(normaliseRecoveryCode(variant)).toBe('abcdef01hjkmnp23');
      expect(hashRecoveryCode(variant)).toEqual(hash);
    }
    expect(hashRecoveryCode('abcd-ef01-hjkm-np24')).not.toEqual(hash);
  });
});
