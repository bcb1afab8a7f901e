import { randomBytes } from 'node:crypto';
import { sha256 } from '../tokens';

/**
 * Crockford's base32 alphabet, lowercase: no i, l, o or u. Lowercase letters and digits without all
 * of 0/o/1/l/i leave only 31 symbols, and 16 of those carry 79.3 bits, short of the 80 required; so
 * 0 and 1 stay, and normalising reads o as 0 and i or l as 1, as Crockford does.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 16;

/** Each code: 16 symbols of 32, 80 random bits, shown as xxxx-xxxx-xxxx-xxxx. */
export function newRecoveryCodes(count = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    // 256 is a multiple of 32, so taking five bits of each byte keeps every symbol equally likely.
    const symbols = Array.from(randomBytes(LENGTH), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
    codes.add(symbols.replace(/.{4}(?=.)/g, '$&-'));
  }
  return [...codes];
}

/** What the user typed, in the form that was hashed: case, spaces and dashes do not matter. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

export function hashRecoveryCode(input: string): Uint8Array {
  return sha256(normaliseRecoveryCode(input));
}
