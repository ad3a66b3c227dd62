// First match wins: Edge and Samsung Internet also say Chrome, Chrome also says Safari.
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X/, 'Mac'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/EdgA?\/|EdgiOS/, 'Edge'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Firefox|FxiOS/, 'Firefox'],
  [/Chrome\/|CriOS/, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const first = (table: ReadonlyArray<[RegExp, string]>, ua: string): string =>
  table.find(([pattern]) => pattern.test(ua))?.[1] ?? '';

/** A name the owner can recognize before approving, from the user agent: "Chrome on Android". */
export function defaultDeviceName(userAgent: string = navigator.userAgent): string {
  const os = first(SYSTEMS, userAgent);
  const browser = first(BROWSERS, userAgent);
  if (browser !== '' && os !== '') return `${browser} on ${os}`;
  return browser || os || 'Web browser';
}
