import { z } from 'zod';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import { recoveryCodesLeft } from '../auth/two-factor/code-step';
import type { ActionContext } from '../core/context';
import { nameSchema, parseInput } from '../core/validation';
import { LANGUAGES } from '../i18n/messages';
import { getSettings } from './read-settings';
import { self } from './self';
import { isTimeZone, zoneOrUtc } from './time-zones';

/** What My account shows of the signed-in user, and their profile: name, language, time zone. */

export interface MyAccount {
  id: string;
  name: string;
  email: string;
  language: string;
  timeZone: string;
  twoFactor: boolean;
  enrolmentStarted: boolean;
  codesLeft: number;
  passwordChangedAt: Date | null;
  requireTwoFactor: boolean;
  minLength: number;
}

export async function myAccount(ctx: ActionContext): Promise<MyAccount> {
  const me = self(ctx);
  const user = await ctx.db
    .selectFrom('users')
    .select([
      'id',
      'name',
      'email',
      'language',
      'time_zone',
      'totp_secret',
      'totp_pending_secret',
      'password_changed_at',
      'must_enrol_two_factor',
    ])
    .where('id', '=', me.id)
    .executeTakeFirstOrThrow();
  const settings = await getSettings(ctx.db);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    language: user.language,
    timeZone: zoneOrUtc(user.time_zone),
    twoFactor: user.totp_secret !== null,
    enrolmentStarted: user.totp_pending_secret !== null,
    codesLeft: user.totp_secret ? await recoveryCodesLeft(ctx.db, user.id) : 0,
    passwordChangedAt: user.password_changed_at,
    requireTwoFactor: settings.require_two_factor || user.must_enrol_two_factor,
    minLength: settings.password_min_length,
  };
}

const profileSchema = z.object({
  name: nameSchema,
  language: z.enum(Object.keys(LANGUAGES) as [keyof typeof LANGUAGES], {
    error: 'Choose a language from the list.',
  }),
  // Absent from older forms: then unchanged.
  time_zone: z.string().refine(isTimeZone, 'Choose a time zone from the list.').optional(),
});

/** Name, the language of the emails Gatehouse sends you, and the time zone times are shown in. */
export async function updateProfile(
  ctx: ActionContext,
  input: { name?: unknown; language?: unknown; time_zone?: unknown },
): Promise<boolean> {
  const me = self(ctx);
  const { time_zone, ...rest } = parseInput(profileSchema, input);
  const data = { ...rest, ...(time_zone ? { time_zone } : {}) };
  return perform(ctx, 'user.profile_update', async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'language', 'time_zone'])
      .where('id', '=', me.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const before: Record<string, string | null> = {};
    const after: Record<string, string> = {};
    for (const key of ['name', 'language', 'time_zone'] as const) {
      const value = data[key as keyof typeof data];
      if (value !== undefined && user[key] !== value) {
        before[key] = user[key];
        after[key] = value;
      }
    }
    const changed = Object.keys(after).length > 0;
    if (changed) await tx.updateTable('users').set(data).where('id', '=', me.id).execute();
    return { result: changed, target: userTarget(user), projectId: null, before, after };
  });
}
