import type { OidcProvider } from './provider';

/**
 * The `oidc-backchannel-logout` job: a logout token signed by the provider, posted to the
 * application's back-channel logout URI. An answer other than 200/204, or none, throws, and the
 * queue retries with backoff; an application deleted or deactivated since is not told.
 */
export async function sendBackchannelLogout(
  oidc: OidcProvider,
  data: Record<string, unknown>,
): Promise<void> {
  const provider = await oidc.current();
  const client = await provider.Client.find(String(data.clientId ?? ''));
  if (!client?.backchannelLogoutUri) return;
  // The library's own method (not in its type definitions): it builds, signs and posts the token.
  const send = (client as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> })
    .backchannelLogout;
  await send.call(client, String(data.accountId ?? ''), String(data.sid ?? ''));
}
