// What other feature modules may use of files; everything else stays inside it.
export { FilesModule } from './files.module.js';
export { nextUtcDayStart, secondsUntilNextUtcDay, utcDay } from './policy/quota-day.js';
