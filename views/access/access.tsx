import type { BindingRow } from '../../src/access/bindings';
import { DialogLink } from '../components/dialog';
import { EmptyState } from '../components/empty-state';
import type { FieldErrors } from '../components/form';
import { lastDay, plural } from '../components/format';
import { TableScroll } from '../components/table-scroll';
import { BindingForm, type BindingFormValues, EMPTY_BINDING } from './binding-form';

export function accessLabel(b: BindingRow) {
  return b.role ? b.role.name : `Manual set (${plural(b.permissions.length, 'permission')})`;
}

export function subjectLabel(b: BindingRow) {
  return b.subject.kind === 'user' ? b.subject.name : `Team ${b.subject.name}`;
}

export interface AccessPageProps {
  projectName: string;
  bindings: BindingRow[];
  roles: Array<{ id: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  canManage: boolean;
  values?: BindingFormValues;
  errors?: FieldErrors;
}

export function AccessPage({
  projectName,
  bindings,
  roles,
  teams,
  canManage,
  values = EMPTY_BINDING,
  errors = {},
}: AccessPageProps) {
  return (
    <section>
      <h1>Access in {projectName}</h1>
      <p>
        Role bindings that apply in this project: its own, and those for the whole account. Expired bindings
        no longer grant anything.
      </p>
      {canManage ? (
        <p>
          <a class="button" href="/users/new">
            Create user
          </a>
        </p>
      ) : null}
      {bindings.length === 0 ? (
        <EmptyState id="no-bindings">
          Nobody has access in {projectName} yet.
          {canManage ? (
            <>
              {' '}
              <a href="#create-binding">Create a role binding</a> to give a person or a team a role here.
            </>
          ) : (
            ' Ask an administrator to give people access.'
          )}
        </EmptyState>
      ) : (
        <TableScroll captionId="bindings-caption">
          <table>
            <caption id="bindings-caption">Role bindings ({bindings.length})</caption>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Access</th>
                <th scope="col">Where</th>
                <th scope="col">Until</th>
                {canManage ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {bindings.map((b) => (
                <tr>
                  <th scope="row">
                    {b.subject.kind === 'user' ? (
                      <a href={`/users/${b.subject.id}`}>{b.subject.name}</a>
                    ) : (
                      <a href={`/teams/${b.subject.id}`}>Team {b.subject.name}</a>
                    )}
                    {b.subject.kind === 'user' ? <span class="secondary"> {b.subject.email}</span> : null}
                  </th>
                  <td>{accessLabel(b)}</td>
                  <td>{b.projectId ? 'This project' : 'Whole account'}</td>
                  <td>
                    {b.expiresAt
                      ? b.expired
                        ? `Expired ${lastDay(b.expiresAt)}`
                        : lastDay(b.expiresAt)
                      : 'No end'}
                  </td>
                  {canManage ? (
                    <td>
                      <div class="row-actions">
                        <a href={`/access/bindings/${b.id}`}>
                          Change<span class="visually-hidden"> access of {subjectLabel(b)}</span>
                        </a>
                        <DialogLink href={`/access/bindings/${b.id}/delete`}>
                          Remove
                          <span class="visually-hidden">
                            {' '}
                            {accessLabel(b)} from {subjectLabel(b)}
                          </span>
                        </DialogLink>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canManage ? (
        <BindingForm projectName={projectName} roles={roles} teams={teams} values={values} errors={errors} />
      ) : null}
    </section>
  );
}
