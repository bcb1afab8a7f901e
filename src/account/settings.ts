import { z } from 'zod';
import { perform } from '../audit/perform';
import { assertRecentAuth } from '../auth/sessions/recent-auth';
import type { ActionContext } from '../core/context';
import { ValidationError } from '../core/errors';
import { parseInput } from '../core/validation';
import type { AccountSettings } from '../db/schema';

/** The editable settings, their bounds (the same as the table's checks) and how they read. */
const whole = (label: string, min: number, max: number, unit: string) =>
  z.coerce
    .number({ error: `Enter ${label} as a number of ${unit}.` })
    .int(`Enter ${label} as a whole number of ${unit}.`)
    .min(min, `${capital(label)} must be between ${min} and ${max} ${unit}.`)
    .max(max, `${capital(label)} must be between ${min} and ${max} ${unit}.`);

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

const settingsSchema = z.object({
  account_name: z
    .string()
    .trim()
    .min(1, 'Enter the account name.')
    .max(100, 'Use at most 100 characters for the account name.'),
  require_two_factor: checkbox,
  password_min_length: whole('the minimum password length', 8, 128, 'characters'),
  invitation_lifetime_hours: whole('the invitation lifetime', 1, 720, 'hours'),
  reset_lifetime_minutes: whole('the reset link lifetime', 5, 1440, 'minutes'),
  lockout_threshold: whole('the lockout threshold', 3, 100, 'failed attempts'),
  lockout_minutes: whole('the lockout duration', 1, 1440, 'minutes'),
  lockout_account_threshold: whole('the account-wide lockout threshold', 10, 100, 'failed attempts'),
  session_idle_minutes: whole('the idle timeout', 5, 1440, 'minutes'),
  session_absolute_hours: whole('the session lifetime', 1, 720, 'hours'),
  allow_manual_links: checkbox,
  invitations_per_day: whole('the daily invitation limit', 1, 10000, 'invitations'),
  audit_retention_days: whole('the audit log retention', 30, 3650, 'days'),
  access_token_minutes: whole('the access token lifetime', 1, 60, 'minutes'),
});

export type SettingsValues = z.infer<typeof settingsSchema>;
export type SettingsInput = { [K in keyof SettingsValues]?: unknown };
export const SETTING_FIELDS = Object.keys(settingsSchema.shape) as Array<keyof SettingsValues>;

export function settingsValues(settings: AccountSettings): SettingsValues {
  // The form's fields only: the reset's time and starter are not settings (reset-epoch.ts).
  return Object.fromEntries(SETTING_FIELDS.map((k) => [k, settings[k]])) as SettingsValues;
}

/** A setting that weakens security when it goes this way (turned off, lowered, raised). */
const WEAKER: Partial<Record<keyof SettingsValues, 'off' | 'on' | 'lower' | 'higher'>> = {
  require_two_factor: 'off',
  allow_manual_links: 'on',
  password_min_length: 'lower',
  lockout_threshold: 'higher',
  lockout_account_threshold: 'higher',
  lockout_minutes: 'lower',
  session_idle_minutes: 'higher',
  session_absolute_hours: 'higher',
  reset_lifetime_minutes: 'higher',
  audit_retention_days: 'lower',
  access_token_minutes: 'higher',
};

/** The changes that weaken security: saving them needs a password confirmed in the last 10 minutes. */
export function weakenedSettings(current: SettingsValues, next: SettingsValues): Array<keyof SettingsValues> {
  return (Object.keys(WEAKER) as Array<keyof SettingsValues>).filter((key) => {
    const [was, now] = [current[key], next[key]];
    switch (WEAKER[key]) {
      case 'off':
        return was === true && now === false;
      case 'on':
        return was === false && now === true;
      case 'lower':
        return now < was;
      default:
        return now > was;
    }
  });
}

/**
 * Saves the account settings in one audited change that lists each changed setting before and
 * after. They take effect on the next request that reads them (sessions, sign-in, links).
 */
export async function updateSettings(ctx: ActionContext, input: SettingsInput): Promise<string[]> {
  const data = parseInput(settingsSchema, input);
  if (data.session_idle_minutes > data.session_absolute_hours * 60)
    throw new ValidationError({
      session_idle_minutes: 'The idle timeout cannot be longer than the session lifetime.',
    });
  if (data.lockout_account_threshold < data.lockout_threshold)
    throw new ValidationError({
      lockout_account_threshold:
        'The account-wide threshold cannot be lower than the threshold for one address.',
    });
  return perform(ctx, 'account.settings_update', async (tx) => {
    const current = settingsValues(
      await tx
        .selectFrom('account_settings')
        .selectAll()
        .where('id', '=', 1)
        .forUpdate()
        .executeTakeFirstOrThrow(),
    );
    if (weakenedSettings(current, data).length > 0) await assertRecentAuth(tx, ctx);
    const changed = SETTING_FIELDS.filter((key) => current[key] !== data[key]);
    const before = Object.fromEntries(changed.map((key) => [key, current[key]]));
    const after = Object.fromEntries(changed.map((key) => [key, data[key]]));
    if (changed.length > 0)
      await tx
        .updateTable('account_settings')
        .set({ ...data, updated_at: ctx.clock.now() })
        .where('id', '=', 1)
        .execute();
    return {
      result: changed,
      target: { type: 'account', id: '1', label: data.account_name },
      projectId: null,
      before,
      after,
    };
  });
}
