import { sql } from 'kysely';
import { hashRecoveryCode } from '../auth/two-factor/recovery-codes';
import { DomainError } from '../core/errors';
import type { Db } from '../db/connect';
import { usable } from './invitee-link';

/** A sign-up in progress, stored in invitations.signup. The TOTP key is encrypted. */
export interface SignupDraft {
  name: string;
  passwordHash: string;
  totpSecret: string;
  stage: 'two-factor' | 'codes';
  step?: number;
  codeHashes?: string[];
}

/** The sign-up is not at the step asked for (a page left open, a form sent twice). */
class NotAtThisStep extends DomainError {}

/**
 * The invitation and its sign-up at `stage`, read inside the caller's transaction (locked when
 * it writes), so a step always acts on the draft it has just checked. Refused with NotAtThisStep,
 * which rolls the step back and writes no audit event.
 */
export async function draftAt(db: Db, token: string, now: Date, stage: SignupDraft['stage'], lock = false) {
  const row = await usable(db, token, now, lock);
  const draft = row.signup as SignupDraft | null;
  if (!draft || draft.stage !== stage) throw new NotAtThisStep(stage);
  return { row, draft };
}

/** A step's result, or null when the sign-up is elsewhere and the page should send them there. */
export async function atStep<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof NotAtThisStep) return null;
    throw error;
  }
}

export const codeHash = (code: string) => Buffer.from(hashRecoveryCode(code)).toString('base64');

/** Sent as text and cast, as the audit trail's jsonb() does: the two drivers would type a bare object differently. */
export async function saveDraft(tx: Db, id: string, draft: SignupDraft) {
  await tx
    .updateTable('invitations')
    .set({ signup: sql`cast(${JSON.stringify(draft)} as text)::jsonb` })
    .where('id', '=', id)
    .execute();
}
