import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commonPasswordCount, isCommonPassword } from './common';

describe('common passwords', () => {
  it('ships a list of at least 10,000 passwords', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it('knows the usual suspects', () => {
    for (const password of ['password', '123456', 'qwerty123', '123456789012', 'iloveyou', 'trustno1']) {
      expect(isCommonPassword(password), password).toBe(true);
    }
  });

  it('ignores case and compatibility forms', () => {
    expect(isCommonPassword('Password')).toBe(true);
    expect(isCommonPassword('PASSWORD')).toBe(true);
    expect(isCommonPassword('QwErTy123')).toBe(true);
    // Fullwidth letters become ASCII under NFKC.
    expect(isCommonPassword('ｐａｓｓｗｏｒｄ')).toBe(true);
  });

  it('matches whole passwords only', () => {
    const random = randomBytes(15).toString('base64url');
    expect(random).toHaveLength(20);
    expect(isCommonPassword(random)).toBe(false);
    expect(isCommonPassword('password plus more')).toBe(false);
    expect(isCommonPassword('')).toBe(false);
  });
});
