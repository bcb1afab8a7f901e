import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Refuse the most common passwords. They are the first ones an attacker tries, so a
 * password on this list is weak whatever its length or character mix.
 *
 * common-passwords.txt: the `passwords` dictionary of the npm package @zxcvbn-ts/language-common
 * 4.1.3 (MIT licence; Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc., (c) 2021 @zxcvbn-ts),
 * all 49,233 entries in frequency order, lowercased and deduplicated, one per line, no header.
 */
const listFile = fileURLToPath(new URL('./common-passwords.txt', import.meta.url));

let list: ReadonlySet<string> | undefined;

// Read once, on first use, so importing this module costs nothing until a password is checked.
function commonPasswords(): ReadonlySet<string> {
  if (!list) {
    const entries = readFileSync(listFile, 'utf8')
      .split('\n')
      .map((line) => line.replace(/\r$/, ''))
      .filter((line) => line !== '');
    list = new Set(entries);
  }
  return list;
}

function canonical(password: string): string {
  return password.normalize('NFKC').toLowerCase();
}

/** Whether the password is on the common-passwords list; case-insensitive, exact match. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(canonical(password));
}

/** How many distinct passwords the list holds. */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}
