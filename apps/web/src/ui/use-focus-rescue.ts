import { useEffect, useRef } from 'preact/hooks';

const RESCUE_MS = 5000;
const CONTROLS = 'button:not(:disabled), input:not(:disabled), a[href]';

/**
 * Keeps keyboard focus in a list when the control that had it goes away (Approve replaced by
 * Revoke, a row removed after Delete or Cancel): call `mark(rowId)` when a row's control is
 * used (rows carry `data-row={rowId}`). For a few seconds after, whenever focus has fallen to
 * the page, it moves to that row's first control, or to `fallback()` (the list's heading, the
 * file picker) once the row has none. Nothing moves while `waiting` (the action is under way
 * and its buttons are disabled for a moment).
 */
export function useFocusRescue(fallback: () => HTMLElement | null, waiting = false) {
  const wanted = useRef<{ row: string; until: number } | null>(null);
  useEffect(() => {
    const target = wanted.current;
    if (target === null || waiting) return;
    if (Date.now() > target.until) {
      wanted.current = null;
      return;
    }
    const active = document.activeElement;
    const lost =
      active === null ||
      active === document.body ||
      !active.isConnected ||
      (active instanceof HTMLButtonElement && active.disabled);
    if (!lost) return;
    const row = document.querySelector(`[data-row="${CSS.escape(target.row)}"]`);
    const control = row?.querySelector<HTMLElement>(CONTROLS) ?? null;
    (control ?? fallback())?.focus();
  });
  return (row: string): void => {
    wanted.current = { row, until: Date.now() + RESCUE_MS };
  };
}
