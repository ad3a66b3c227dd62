// The human sentences for what happens in a session while `send` follows it.
export function downloadedText(fileName: string, left: number | null, by: string | null): string {
  const who = by === null ? `${fileName} was downloaded` : `${by} downloaded ${fileName}`;
  if (left === null) return who;
  return `${who} (${left === 0 ? 'no downloads left' : `${String(left)} left`})`;
}

export function endText(reason: string): string {
  if (reason === 'session_expired') return 'The session has expired.';
  if (reason === 'session_closed') return 'The session was closed.';
  return `The live connection ended (${reason}).`;
}

/** "y"/"yes" (any case) approves; anything else rejects. */
export function isYes(answer: string): boolean {
  return /^\s*(y|yes)\s*$/i.test(answer);
}
