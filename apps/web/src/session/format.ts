// Time and size as the session screens show them, shared by the desktop and the phone.

const two = (n: number): string => String(n).padStart(2, '0');

/** Remaining time as a clock: "4:05", "1:02:03", "2 d 03:04:05"; never negative. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days} d ${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(seconds)}`;
  return `${minutes}:${two(seconds)}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in decimal units, as file managers show them: "512 B", "1.5 MB", "24 GB". */
export function formatSize(bytes: number): string {
  let n = Math.max(0, bytes);
  let unit = 0;
  while (n >= 1000 && unit < UNITS.length - 1) {
    n /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || n >= 10 ? 0 : 1;
  return `${n.toFixed(digits)} ${UNITS[unit]}`;
}

/** "1 download left", "3 downloads left". */
export function downloadsLeft(remaining: number): string {
  const n = Math.max(0, remaining);
  return `${n} ${n === 1 ? 'download' : 'downloads'} left`;
}
