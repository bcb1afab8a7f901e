import { z } from 'zod';
import { ValidationError } from '../core/errors';
import { controlCharacterIn } from '../core/validation';

/** Text the directory sends for one attribute: trimmed, no control character, at most `max`. */
export const directoryText = (attribute: string, max: number) =>
  z
    .string({ error: `${attribute} is a string.` })
    .refine((s) => controlCharacterIn(s) === null, `Remove the control character from ${attribute}.`)
    .transform((s) => s.trim())
    .pipe(z.string().max(max, `${attribute} has at most ${max} characters.`));

/** Optional text: missing, null or empty is null. */
export const optionalDirectoryText = (attribute: string, max: number) =>
  z
    .union([z.null(), z.undefined(), directoryText(attribute, max)], { error: `${attribute} is a string.` })
    .transform((s) => (s ? s : null));

/** Parses the directory's input; each refusal names the SCIM attribute (the detail a client logs). */
export function parseDirectoryInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.') || 'body';
    fields[key] ??= issue.message.startsWith(key) ? issue.message : `${key}: ${issue.message}`;
  }
  throw new ValidationError(fields);
}
