import { useState } from 'preact/hooks';
import { formText } from '../session/form-text';
import { useFocusOnMount } from '../session/use-focus';
import { defaultDeviceName } from './device-name';

const normalizeCode = (value: string): string => value.replace(/[\s-]+/g, '').toUpperCase();

interface CodeFormProps {
  /** Why the last attempt failed, as a sentence (shown in role="alert"). */
  error: string | null;
  onJoin: (code: string, deviceName: string) => void;
}

/** Joining by the typed code, when there is no pairing link or it did not work. */
export function CodeForm({ error, onJoin }: CodeFormProps) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [invalid, setInvalid] = useState(false);
  const shown = invalid ? 'A pairing code has 8 letters, like BCDF-GHJK.' : error;

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const code = normalizeCode(formText(form, 'code'));
    const valid = /^[A-Z]{8}$/.test(code);
    setInvalid(!valid);
    if (!valid) {
      document.getElementById('pair-code')?.focus();
      return;
    }
    const name = formText(form, 'deviceName').trim();
    onJoin(code, name === '' ? defaultDeviceName() : name);
  };

  return (
    <section class="panel pair-form" aria-labelledby="join-heading">
      <h1 id="join-heading" ref={heading} tabIndex={-1}>
        Join a session
      </h1>
      <p>Scan the QR code with this phone's camera, or type the code shown beside it.</p>
      {shown !== null && (
        <p role="alert" class="alert" id="pair-error">
          {shown}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="pair-code">Pairing code</label>
          <input
            id="pair-code"
            name="code"
            type="text"
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            placeholder="BCDF-GHJK"
            maxLength={20}
            aria-invalid={invalid ? 'true' : undefined}
            aria-describedby={shown !== null ? 'pair-error' : undefined}
          />
        </div>
        <div class="field">
          <label for="pair-device-name">Name of this device (optional)</label>
          <input
            id="pair-device-name"
            name="deviceName"
            type="text"
            maxLength={64}
            placeholder={defaultDeviceName()}
          />
        </div>
        <button type="submit" class="primary">
          Join
        </button>
      </form>
    </section>
  );
}
