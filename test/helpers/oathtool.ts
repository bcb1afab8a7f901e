import { execFileSync } from 'node:child_process';
import { totpCode } from '../../src/auth/two-factor/totp';

/**
 * Debian's oathtool (OATH Toolkit): TOTP codes from an implementation independent of ours.
 * `.ci/run` installs it (apt-get install -y oathtool); a machine without it runs the tests with
 * our own codes and a warning, except under CI=true, where it is required.
 */
function found(): boolean {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasOathtool = found();

if (!hasOathtool && process.env.CI) {
  throw new Error('oathtool is required in CI: apt-get install -y oathtool');
}
if (!hasOathtool) {
  console.warn(
    'oathtool not found (apt-get install -y oathtool): TOTP codes in tests come from our own code.',
  );
}

/** The 6-digit code for a base32 key at an instant. */
export function oathtool(key: string, at: Date = new Date()): string {
  const secret = key.replaceAll(' ', '');
  if (!hasOathtool) return totpCode(secret, at);
  const when = at.toISOString().replace('T', ' ').slice(0, 19);
  return execFileSync('oathtool', ['--totp', '-b', '--now', `${when} UTC`, secret], {
    encoding: 'utf8',
  }).trim();
}
