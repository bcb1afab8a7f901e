import { type Messages, messages } from '../../i18n/messages';
import { isCommonPassword } from './common';
import { HashWorkers } from './hash-workers';

/** Argon2id, m = 19456 KiB, t = 2, p = 1 (OWASP's minimum); the parameters travel in the hash string. */
// 2 is Algorithm.Argon2id (a const enum, which isolated modules cannot import).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * One hash per core at once, on low-priority worker threads (hash-workers.ts): a burst of
 * sign-ins queues, in order, for at most 5 s (then 503 with Retry-After) and never starves the
 * pages. Exported for the tests, which shorten the wait.
 */
export const hashing = new HashWorkers();

export function hashPassword(password: string): Promise<string> {
  return hashing.run<string>({ op: 'hash', password, options: OPTIONS });
}

// Verified when the email is unknown, so that answer takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/** Verifies against the user's hash, or against a dummy one when there is none. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!dummyHash) {
    dummyHash = hashPassword('gatehouse dummy password for timing');
    // Refused in a storm (BusyError): made again by the next call.
    dummyHash.catch(() => {
      dummyHash = undefined;
    });
  }
  const target = storedHash ?? (await dummyHash);
  const ok = await hashing.run<boolean>({ op: 'verify', hash: target, password });
  return ok && storedHash !== null;
}

export const PASSWORD_MAX_LENGTH = 128;

/** Counted in characters (code points), never truncated. */
export function passwordLength(password: string): number {
  return [...password].length;
}

export interface PasswordPolicyInput {
  password: string;
  minLength: number;
  email: string;
  name: string;
}

/** The first rule a password breaks, for the page to word in the reader's language. */
export type PasswordIssue =
  | { kind: 'tooShort'; min: number; length: number }
  | { kind: 'tooLong'; max: number }
  | { kind: 'containsEmail' }
  | { kind: 'containsName' }
  | { kind: 'common' };

export function passwordIssue({
  password,
  minLength,
  email,
  name,
}: PasswordPolicyInput): PasswordIssue | null {
  const length = passwordLength(password);
  if (length < minLength) return { kind: 'tooShort', min: minLength, length };
  if (length > PASSWORD_MAX_LENGTH) return { kind: 'tooLong', max: PASSWORD_MAX_LENGTH };
  const lower = password.toLowerCase();
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && lower.includes(local)) return { kind: 'containsEmail' };
  const parts = name
    .toLowerCase()
    .split(/\s+/)
    .filter((p) => p.length >= 3);
  if (parts.some((p) => lower.includes(p))) return { kind: 'containsName' };
  if (isCommonPassword(password)) return { kind: 'common' };
  return null;
}

/** The issue as a sentence, in the language of the messages given (English by default). */
export function describePasswordIssue(
  issue: PasswordIssue,
  errors: Messages['errors'] = messages('en').errors,
): string {
  switch (issue.kind) {
    case 'tooShort':
      return errors.tooShort(issue.min, issue.length);
    case 'tooLong':
      return errors.tooLong(issue.max);
    case 'containsEmail':
      return errors.containsEmail;
    case 'containsName':
      return errors.containsName;
    case 'common':
      return errors.common;
  }
}

/** Returns the first rule the password breaks, as an English sentence for the person typing it. */
export function passwordProblem(input: PasswordPolicyInput): string | null {
  const issue = passwordIssue(input);
  return issue ? describePasswordIssue(issue) : null;
}
