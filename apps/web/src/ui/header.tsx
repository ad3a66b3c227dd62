/** The page banner: the product name, and "Sign out" while an owner is signed in. */
export function Header({ onSignOut }: { onSignOut?: (() => void) | undefined }) {
  return (
    <header class="banner">
      <a class="brand" href="/">
        Sharexpress
      </a>
      {onSignOut === undefined ? null : (
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      )}
    </header>
  );
}
