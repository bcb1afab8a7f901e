import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './hashing';

const base = { minLength: 12, email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };

describe('password policy', () => {
  it('counts characters, not bytes, and bounds the length', () => {
    expect(passwordProblem({ ...base, password: 'ünïcödé-ünï' })).toBe(
      'Use at least 12 characters (this one has 11).',
    );
    expect(passwordProblem({ ...base, password: '🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑' })).toBeNull();
    expect(passwordProblem({ ...base, password: 'x'.repeat(128) })).toBeNull();
    expect(passwordProblem({ ...base, password: 'x'.repeat(129) })).toBe('Use at most 128 characters.');
  });

  it('refuses the email local part and the name', () => {
    expect(passwordProblem({ ...base, password: 'my ada.lovelace pass' })).toBe(
      'Do not include your email address.',
    );
    expect(passwordProblem({ ...base, password: 'LOVELACE forever and ever' })).toBe(
      'Do not include your name.',
    );
  });
});

describe('argon2id', () => {
  it('hashes with Argon2id (m = 19456 KiB, t = 2, p = 1) and verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapl')).toBe(false);
    expect(await verifyPassword(null, 'anything')).toBe(false);
  });
});
