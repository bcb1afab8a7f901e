import type { Child } from 'hono/jsx';

export type FieldErrors = Record<string, string>;

/** The summary at the top of a form that failed: each message links to its field. */
export function ErrorSummary({
  errors,
  labels,
  title = 'There is a problem',
}: {
  errors: FieldErrors;
  labels: Record<string, string>;
  title?: string;
}) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {entries.map(([field, message]) =>
          labels[field] ? (
            <li>
              <a href={`#${field}`}>{message}</a>
            </li>
          ) : (
            <li>{message}</li>
          ),
        )}
      </ul>
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string | undefined;
  hint?: Child;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  inputmode?: 'numeric' | 'text' | 'email';
}

/** Label, hint and error of a field, tied to its control (`describedBy`) for screen readers. */
function FieldFrame({
  name,
  label,
  hint,
  error,
  children,
}: {
  name: string;
  label: string;
  hint?: Child;
  error?: string | undefined;
  children: (a11y: { 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined }) => Child;
}) {
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={name}>{label}</label>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="error-message" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
      {children({ 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy || undefined })}
    </div>
  );
}

/** A labelled input whose hint and error are tied to it for screen readers. */
export function Field({
  name,
  label,
  type = 'text',
  value,
  error,
  hint,
  autocomplete,
  required,
  autofocus,
  inputmode,
}: FieldProps) {
  return (
    <FieldFrame name={name} label={label} hint={hint} error={error}>
      {(a11y) => (
        <input
          id={name}
          name={name}
          type={type}
          value={value}
          autocomplete={autocomplete}
          required={required}
          autofocus={autofocus}
          inputmode={inputmode}
          {...a11y}
        />
      )}
    </FieldFrame>
  );
}

/**
 * A new password and its confirmation, as password managers expect them (`new-password`); the
 * hint says the policy. The page puts a hidden `username` field before it where there is one.
 */
export function NewPasswordFields({
  labels,
  hint,
  errors,
}: {
  labels: { password: string; confirm: string };
  hint: Child;
  errors: FieldErrors;
}) {
  return (
    <>
      <Field
        name="password"
        label={labels.password}
        type="password"
        autocomplete="new-password"
        required
        hint={hint}
        error={errors.password}
      />
      <Field
        name="confirm"
        label={labels.confirm}
        type="password"
        autocomplete="new-password"
        required
        error={errors.confirm}
      />
    </>
  );
}

/** As Field, for several lines of text. */
export function TextAreaField({
  name,
  label,
  value,
  error,
  hint,
  rows,
  maxlength,
  required,
}: Pick<FieldProps, 'name' | 'label' | 'value' | 'error' | 'hint' | 'required'> & {
  rows: number;
  maxlength?: number;
}) {
  return (
    <FieldFrame name={name} label={label} hint={hint} error={error}>
      {(a11y) => (
        <textarea id={name} name={name} rows={rows} maxlength={maxlength} required={required} {...a11y}>
          {value}
        </textarea>
      )}
    </FieldFrame>
  );
}

export interface SelectFieldProps {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  value: string;
  hint?: Child;
  error?: string | undefined;
}

/** A labelled select whose hint and error are tied to it, as Field does for inputs. */
export function SelectField({ name, label, options, value, hint, error }: SelectFieldProps) {
  return (
    <FieldFrame name={name} label={label} hint={hint} error={error}>
      {(a11y) => (
        <select id={name} name={name} {...a11y}>
          {options.map((o) => (
            <option value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

/** A checkbox inside its label, with a hint tied to it; unticked, the browser sends nothing. */
export function CheckboxField({
  name,
  label,
  checked,
  hint,
}: {
  name: string;
  label: string;
  checked: boolean;
  hint?: string;
}) {
  return (
    <div class="field">
      <label>
        <input
          type="checkbox"
          id={name}
          name={name}
          value="on"
          checked={checked}
          aria-describedby={hint ? `${name}-hint` : undefined}
        />{' '}
        {label}
      </label>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
