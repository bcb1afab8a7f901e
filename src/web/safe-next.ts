/** Only a same-origin path may follow sign-in or a form: never `//host`, `/\host` or a full URL. */
export function safeNext(value: string | undefined): string | null {
  if (!value || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  // Control characters and backslashes could turn into another host in some browsers.
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\\')) return null;
  return value;
}
