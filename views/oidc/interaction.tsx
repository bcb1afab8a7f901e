/** What each scope gives an application, in words a person can judge. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'Who you are (an identifier for your account)',
  email: 'Your email address',
  profile: 'Your name, language and time zone',
  offline_access: 'Staying signed in while you are away (a refresh token)',
  roles: 'Your roles in the project',
  permissions: 'What you may do in the project',
};

/** A non-first-party application asks before it gets anything. */
export function ConsentPage({ uid, appName, scopes }: { uid: string; appName: string; scopes: string[] }) {
  return (
    <section>
      <h1>Allow {appName} to sign you in?</h1>
      <p>{appName} will receive:</p>
      <ul>
        {scopes.map((s) => (
          <li>{SCOPE_TEXT[s] ?? s}</li>
        ))}
      </ul>
      <form method="post" action={`/oidc/interaction/${uid}/consent`} class="actions">
        <button type="submit">Allow</button>
      </form>
      <form method="post" action={`/oidc/interaction/${uid}/abort`}>
        <button type="submit" class="button-secondary">
          Do not allow
        </button>
      </form>
    </section>
  );
}

/**
 * A step that moves on by itself (its meta refresh) or by the link. Arriving from another site,
 * the browser withholds our SameSite=Strict session cookie: this page's own navigation comes
 * from our site, so the cookie goes with it and someone already signed in is not asked again.
 */
export function ContinuePage({ href }: { href: string }) {
  return (
    <section>
      <h1>Signing you in</h1>
      <p>
        <a href={href}>Continue</a>
      </p>
    </section>
  );
}
