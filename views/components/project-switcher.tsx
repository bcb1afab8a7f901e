/** A plain form: works without JavaScript; the session remembers the choice. */
export function ProjectSwitcher({
  projects,
  current,
  returnTo,
}: {
  projects: Array<{ id: string; name: string }>;
  current: string;
  returnTo: string;
}) {
  if (projects.length === 0) return null;
  return (
    <form method="post" action="/project" class="project-switcher">
      <input type="hidden" name="returnTo" value={returnTo} />
      <label for="project-switcher">Project</label>
      <select id="project-switcher" name="projectId">
        {projects.map((p) => (
          <option value={p.id} selected={p.id === current}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="submit" class="button-secondary">
        Switch
      </button>
    </form>
  );
}
