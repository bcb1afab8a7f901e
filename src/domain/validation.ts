import { z } from 'zod';
import { ValidationError } from './errors';

export const emailSchema = z
  .string()
  .trim()
  .min(1, 'Enter an email address.')
  .max(254, 'Use at most 254 characters for the email address.')
  .pipe(z.email('Enter an email address like name@example.com.'));

export const nameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(200, 'Use at most 200 characters for the name.');

/** Parses with zod and turns its issues into one message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  throw new ValidationError(fields);
}

/** True for PostgreSQL's unique_violation, from either driver. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/** An optional last day of access, as YYYY-MM-DD: empty, or a real date before the year 9000. */
export const lastDaySchema = z.union([
  z.literal(''),
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD.')
    .refine((s) => {
      const date = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s);
    }, 'Enter a real date.')
    .refine((s) => s < '9000-01-01', 'Choose a date before the year 9000.'),
]);

/** The last day access still lasts (YYYY-MM-DD, UTC), for an end instant at the start of the next day. */
export function lastDayOf(expiresAt: Date | null): string {
  return expiresAt ? new Date(expiresAt.getTime() - 1).toISOString().slice(0, 10) : '';
}

/** Access that lasts through `lastDay` ends at the start of the next day (UTC); null for none. */
export function endAfterLastDay(lastDay: string, now: Date, field = 'until'): Date | null {
  if (!lastDay) return null;
  const end = new Date(`${lastDay}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  if (end <= now) throw new ValidationError({ [field]: 'Choose a date that is not in the past.' });
  return end;
}
