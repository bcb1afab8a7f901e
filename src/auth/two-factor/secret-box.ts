import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

// The configuration key may one day serve other purposes; HKDF gives this one its own key. The
// configuration key is already uniformly random, so HKDF needs no salt.
const derived = new WeakMap<Buffer, KeyObject>();

function aesKey(key: Buffer): KeyObject {
  let aes = derived.get(key);
  if (!aes) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
    aes = createSecretKey(Buffer.from(hkdfSync('sha256', key, '', 'gatehouse secret-box v1', 32)));
    derived.set(key, aes);
  }
  return aes;
}

/** AES-256-GCM under a key derived from `key`: `v1.<iv>.<ciphertext>.<tag>`, each base64url. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey(key), iv, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

/** Throws unless `box` came from encryptSecret with the same key, unaltered. */
export function decryptSecret(key: Buffer, box: string): string {
  const parts = box.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw malformed();
  const iv = decode(parts[1]);
  const ciphertext = decode(parts[2]);
  const tag = decode(parts[3]);
  // GCM would otherwise accept a truncated tag, which is easier to forge.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw malformed();
  const decipher = createDecipheriv('aes-256-gcm', aesKey(key), iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new Error('Secret box does not open: wrong key or altered', { cause });
  }
}

function decode(part: string | undefined): Buffer {
  // Buffer.from(…, 'base64url') skips characters it does not know instead of failing.
  if (part === undefined || !BASE64URL.test(part)) throw malformed();
  return Buffer.from(part, 'base64url');
}

function malformed(): Error {
  return new Error('Malformed secret box');
}
