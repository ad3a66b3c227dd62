import { useFocusOnMount } from '../session/use-focus';
import type { Outcome } from './pair-messages';

/** A screen the phone cannot go on from: the session ended, the device was declined, … */
export function OutcomeScreen({ title, detail }: Outcome) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section class="panel ended-view">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      <p>{detail}</p>
      <p>
        <a href="/pair">Join another session</a>
      </p>
    </section>
  );
}

export function WaitingScreen({ name }: { name: string }) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section class="panel waiting-view">
      <h1 ref={heading} tabIndex={-1}>
        Waiting for approval
      </h1>
      <p>Ask the session's owner to approve “{name}”. This page goes on by itself once they do.</p>
    </section>
  );
}

export function JoiningScreen() {
  return <p class="panel">Joining the session…</p>;
}
