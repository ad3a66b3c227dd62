import { userMessage } from '../api/messages';

/** An API error as one clear sentence, announced by screen readers (role="alert"). */
export function ErrorAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p class="alert" role="alert">
      {typeof error === 'string' ? error : userMessage(error)}
    </p>
  );
}
