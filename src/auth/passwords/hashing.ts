import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { type Messages, messages } from '../../i18n/messages';
import { Semaphore } from '../semaphore';
import { isCommonPassword } from './common';

/** Argon2id, m = 19456 KiB, t = 2, p = 1 (OWASP's minimum); the parameters travel in the hash string. */
// 2 is Algorithm.Argon2id (a const enum, which isolated modules cannot import).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

// About one hash per core at once, so a burst of sign-ins queues instead of starving the server;
// and one libuv pool thread (4 by default) always stays free for file, DNS and crypto work.
const poolThreads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const slots = new Semaphore(Math.max(1, Math.min(availableParallelism(), poolThreads - 1)));

export function hashPassword(password: string): Promise<string> {
  return slots.run(() => hash(password, OPTIONS));
}

// Verified when the email is unknown, so that answer takes as long as a wrong password.
const dummyHash = hashPassword('gatehouse dummy password for timing');

/** Verifies against the user's hash, or against a dummy one when there is none. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  const target = storedHash ?? (await dummyHash);
  const ok = await slots.run(() => verify(target, password).catch(() => false));
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
