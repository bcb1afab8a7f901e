import type { Viewer } from '../layout';

export function HomePage({ viewer, accountName }: { viewer: Viewer; accountName: string }) {
  return (
    <section>
      <h1>Welcome, {viewer.name}</h1>
      <p>
        You are signed in to <strong>{accountName}</strong> as {viewer.email}.
      </p>
      <h2>Your access</h2>
      {viewer.permissions.size === 0 ? (
        <p>You have no permissions in this project yet. Ask an administrator for access.</p>
      ) : (
        <p>You hold {viewer.permissions.size} permissions in this project.</p>
      )}
    </section>
  );
}
