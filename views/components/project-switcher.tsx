/**
 * A plain form: works without JavaScript; the session remembers the choice. With JavaScript the
 * project changes on selection (public/js/app.js, which also says so in the select's description)
 * and the Switch button goes.
 */
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
      <span id="project-switcher-hint" hidden>
        The page changes to the project you choose.
      </span>
      <select id="project-switcher" name="projectId">
        {projects.map((p) => (
          <option value={p.id} selected={p.id === current}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="submit" class="button-secondary no-js-only">
        Switch
      </button>
    </form>
  );
}
