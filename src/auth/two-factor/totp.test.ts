import { describe, expect, it } from 'vitest';
import { hasOathtool, oathtool } from '../../../test/helpers/oathtool';
import { newTotpSecret, qrSvg, totpCode, totpUri, verifyTotp } from './totp';

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
