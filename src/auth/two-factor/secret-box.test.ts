import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './secret-box';
import { newTotpSecret } from './totp';

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
