import { useEffect, useRef } from 'preact/hooks';

/** A ref whose element (a view's heading, tabIndex -1) takes focus when the view appears. */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
