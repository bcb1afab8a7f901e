import { describe, expect, it } from 'vitest';
import type { Language } from '../db/schema';
import { LANGUAGES, longDate } from '../i18n/messages';
import { resetLinkMail, type SecurityMailKind, securityMail } from './security-mails';

const LANGS = Object.keys(LANGUAGES) as Language[];
const KINDS = Object.keys({
  passwordChanged: true,
  passwordReset: true,
  twoFactorEnabled: true,
  twoFactorRemoved: true,
  twoFactorReset: true,
  recoveryCodeUsed: true,
  accountLocked: true,
} satisfies Record<SecurityMailKind, true>) as SecurityMailKind[];

const AT = new Date('2026-11-23T14:05:00Z');
const LOCKED_UNTIL = new Date('2026-11-23T14:35:00Z');
const SIGN_IN = 'https://gatehouse.example.com/login';

function mail(
  kind: SecurityMailKind,
  language: Language,
  extra: Partial<Parameters<typeof securityMail>[0]> = {},
) {
  return securityMail({
    kind,
    to: 'ada@example.com',
    name: 'Ada Lovelace',
    language,
    accountName: 'Acme',
    at: AT,
    ip: '203.0.113.7',
    codesLeft: 2,
    lockedUntil: LOCKED_UNTIL,
    signInUrl: SIGN_IN,
    ...extra,
  });
}

/** The text body's paragraphs, without the trailing newline. */
function paragraphs(text: string): string[] {
  return text.trimEnd().split('\n\n');
}

describe('security mails', () => {
  for (const language of LANGS) {
    for (const kind of KINDS) {
      it(`${kind} in ${language}`, async () => {
        const m = await mail(kind, language);
        expect(m.to).toBe('ada@example.com');
        expect(m.subject.trim()).not.toBe('');
        expect(m.subject).toContain('Acme');
        expect(m.subject).not.toMatch(/[\r\n]/);
        expect(m.text.trim()).not.toBe('');
        expect(m.html.trim()).not.toBe('');
        expect(m.html).toContain(`<html lang="${language}">`);
        expect(m.tags).toEqual([
          { name: 'category', value: kind },
          { name: 'language', value: language },
        ]);
        for (const body of [m.text, m.html, m.subject])
          expect(body).not.toMatch(/undefined|NaN|null|\[object/);
        expect(m.text).toContain('Ada Lovelace');
        expect(m.text).toContain(longDate(AT, language));
        expect(m.text).toContain('203.0.113.7');
        expect(m.html).toContain('203.0.113.7');
        expect(m.text).toMatch(/https:\/\/gatehouse\.example\.com\/(login|account)\n/);
        // The last line says what to do if it was not them; it is the last paragraph of both bodies.
        const last = paragraphs(m.text).at(-1) ?? '';
        expect(last).toContain('Acme');
        expect(m.html.endsWith(`<p>${last}</p>\n</body></html>`)).toBe(true);
        if (kind === 'recoveryCodeUsed') {
          expect(m.text).toMatch(/\s2\s/);
          expect(m.text).toContain('https://gatehouse.example.com/account');
        }
        if (kind === 'accountLocked') {
          expect(m.text).toContain(longDate(LOCKED_UNTIL, language));
          expect(m.html).toContain(longDate(LOCKED_UNTIL, language));
        }
      });
    }
  }

  it('omits the IP address line when the address is unknown', async () => {
    const m = await mail('passwordChanged', 'en', { ip: null });
    expect(m.text).not.toContain('IP address');
    expect(m.html).not.toContain('IP address');
    expect(m.text).toContain(longDate(AT, 'en'));
  });

  it('points My account at the sign-in URL origin', async () => {
    const m = await mail('twoFactorRemoved', 'fr', {
      signInUrl: 'https://gatehouse.example.com/login?next=%2Fusers',
    });
    expect(m.text).toContain('https://gatehouse.example.com/account\n');
    expect(m.html).toContain('href="https://gatehouse.example.com/account"');
  });

  it('suggests new recovery codes only when few are left', async () => {
    const many = await mail('recoveryCodeUsed', 'en', { codesLeft: 8 });
    expect(many.text).toContain('You have 8 recovery codes left.');
    expect(many.text).not.toContain('Generate new ones');
    const none = await mail('recoveryCodeUsed', 'de', { codesLeft: 0 });
    expect(none.text).toContain('keine Wiederherstellungscodes mehr');
    expect(none.text).toContain('neue Codes');
  });

  it('elides the French "de" before a vowel', async () => {
    expect((await mail('accountLocked', 'fr')).text).toContain('un administrateur d’Acme');
    expect((await mail('accountLocked', 'fr', { accountName: 'Globex' })).text).toContain(
      'un administrateur de Globex',
    );
  });

  it('needs codesLeft and lockedUntil for the kinds that say them', async () => {
    await expect(mail('recoveryCodeUsed', 'en', { codesLeft: undefined })).rejects.toThrow(/codesLeft/);
    await expect(mail('accountLocked', 'en', { lockedUntil: undefined })).rejects.toThrow(/lockedUntil/);
  });

  it('escapes the name and account name in HTML', async () => {
    for (const kind of KINDS) {
      const m = await mail(kind, 'en', { name: '<script>alert(1)</script>', accountName: 'A&B <i>Co</i>' });
      expect(m.html).not.toContain('<script>');
      expect(m.html).not.toContain('<i>');
      expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(m.html).toContain('A&amp;B &lt;i&gt;Co&lt;/i&gt;');
    }
  });
});

describe('password reset link mail', () => {
  const LINK = 'https://gatehouse.example.com/reset/6f1c2a9e0b7d4c3e';
  const EXPIRES = new Date('2026-11-23T15:05:00Z');

  for (const language of LANGS) {
    it(`renders in ${language}`, async () => {
      const m = await resetLinkMail({
        to: 'ada@example.com',
        name: 'Ada Lovelace',
        language,
        accountName: 'Acme',
        link: LINK,
        expiresAt: EXPIRES,
      });
      expect(m.subject).toContain('Acme');
      expect(m.html).toContain(`<html lang="${language}">`);
      expect(m.text).toContain(LINK);
      expect(m.html).toContain(`href="${LINK}"`);
      expect(m.text).toContain(longDate(EXPIRES, language));
      expect(m.text).not.toMatch(/undefined|null/);
      expect(m.tags).toEqual([
        { name: 'category', value: 'password_reset_link' },
        { name: 'language', value: language },
      ]);
    });
  }

  it('escapes the name in HTML', async () => {
    const m = await resetLinkMail({
      to: 'ada@example.com',
      name: '<script>alert(1)</script>',
      language: 'es',
      accountName: 'Acme',
      link: LINK,
      expiresAt: EXPIRES,
    });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
  });
});
