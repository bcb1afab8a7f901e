import { z } from 'zod';
import { ValidationError } from './errors';

/**
 * The one rule for text input: no C0 control character (U+0000 to U+001F) and no DEL, except
 * tab, line feed and carriage return in a multi-line field (a textarea). PostgreSQL cannot store
 * NUL (it answers 22021) and nobody types the others. The form reader (src/web/form.ts) applies
 * it to every field it reads, so a form never passes one on; the schemas below apply it again for
 * the other callers (the command line). Returns the first such character as `U+0000`, or null.
 */
export function controlCharacterIn(text: string, multiLine = false): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code !== 0x7f) continue;
    if (multiLine && (code === 0x09 || code === 0x0a || code === 0x0d)) continue;
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return null;
}

const withoutControls = (what: string) =>
  z.string().refine((s) => controlCharacterIn(s) === null, `Remove the control character from the ${what}.`);

export const emailSchema = withoutControls('email address')
  .trim()
  .min(1, 'Enter an email address.')
  .max(254, 'Use at most 254 characters for the email address.')
  .pipe(z.email('Enter an email address like name@example.com.'));

export const nameSchema = withoutControls('name')
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

/**
 * PostgreSQL's refusals of a value (class 22: invalid text for a type, NUL, impossible dates,
 * out-of-range numbers, too long for a column, bad LIKE escapes) and a value too big for an
 * index (54000). Input is checked before it reaches a query; one of these means a check is
 * missing, so app.ts answers 400 (nothing was changed: the statement failed) and logs it.
 */
const VALUE_REFUSED = new Set([
  '22001',
  '22003',
  '22007',
  '22008',
  '22019',
  '22021',
  '22025',
  '22P02',
  '22P05',
  '54000',
]);
export function isValueRefused(error: unknown): boolean {
  return VALUE_REFUSED.has((error as { code?: string } | null)?.code ?? '');
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
