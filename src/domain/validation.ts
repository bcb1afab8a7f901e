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
