import { describe, expect, it } from 'vitest';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes';

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
