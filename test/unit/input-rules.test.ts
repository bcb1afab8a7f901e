import { describe, expect, it } from 'vitest';
import { controlCharacterIn, nameSchema } from '../../src/core/validation';
import { isRealInstant } from '../../src/lists/paging';

describe('controlCharacterIn', () => {
  it('names the first C0 control character or DEL', () => {
    expect(controlCharacterIn('Ada Lovelace')).toBeNull();
    expect(controlCharacterIn('Zoë 🙂 \u00a0')).toBeNull();
    expect(controlCharacterIn('a\u0000b')).toBe('U+0000');
    expect(controlCharacterIn('\u001b[2J')).toBe('U+001B');
    expect(controlCharacterIn('del\u007f')).toBe('U+007F');
    expect(controlCharacterIn('two\nlines')).toBe('U+000A');
  });

  it('takes tab, line feed and carriage return in a multi-line field only', () => {
    expect(controlCharacterIn('a\tb\r\nc', true)).toBeNull();
    expect(controlCharacterIn('a\tb', false)).toBe('U+0009');
    expect(controlCharacterIn('a\r\n\u0000', true)).toBe('U+0000');
  });

  it('refuses them in a name outside a form too (the command line)', () => {
    expect(nameSchema.safeParse('Ada\u0000').success).toBe(false);
    expect(nameSchema.safeParse('  Ada  ').data).toBe('Ada');
  });
});

describe('isRealInstant', () => {
  it.each([
    '2026-02-28 23:59:59+00',
    '2026-02-28T23:59:59.123456Z',
    '2024-02-29T00:00:00.000Z',
    '0001-01-01 00:00:00+00',
    '9999-12-31 23:59:59.999999-15:59',
    '1999-01-01 00:00:00.123457+00',
  ])('takes %s', (text) => expect(isRealInstant(text)).toBe(true));

  it.each([
    '2026-02-31 00:00:00+00',
    '2026-02-29T00:00:00.000Z',
    '9999-99-99 99:99:99+99',
    '0000-01-01 00:00:00+00',
    '2026-13-01T00:00:00Z',
    '2026-01-01 24:00:00+00',
    '2026-01-01 23:60:00+00',
    '2026-01-01 23:59:60+00',
    '2026-01-01 00:00:00+16',
    '2026-01-01',
    '+012026-01-01T00:00:00Z',
    '-infinity',
    '',
  ])('refuses %s', (text) => expect(isRealInstant(text)).toBe(false));
});
