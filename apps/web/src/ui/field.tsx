import type { InputHTMLAttributes } from 'preact';
import { useId } from 'preact/hooks';

type InputProps = Pick<
  InputHTMLAttributes<HTMLInputElement>,
  | 'name'
  | 'autocomplete'
  | 'autoCapitalize'
  | 'inputMode'
  | 'required'
  | 'minLength'
  | 'maxLength'
  | 'placeholder'
  | 'value'
  | 'onInput'
  | 'disabled'
> & { type?: 'text' | 'email' | 'password' | 'search' };

/** A text input with its visible <label> (the field's accessible name) and an optional hint. */
export function Field({ label, hint, ...input }: InputProps & { label: string; hint?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // Preact types <input> as a union keyed by `type`; these props fit every member listed.
        {...(input as InputHTMLAttributes<HTMLInputElement>)}
        aria-describedby={hint === undefined ? undefined : hintId}
      />
      {hint === undefined ? null : (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
