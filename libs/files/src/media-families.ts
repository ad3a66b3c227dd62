import { supportedMimeTypes } from 'file-type';

// Which sniffed formats a declared content type fairly covers. Clients (browsers above all)
// derive the type from the file's extension, so the same format arrives under several names
// (image/jpg, audio/x-wav), a container under its audio or its video name (audio/mp4 for what
// sniffs as video/mp4), and container-based formats (docx, jar, epub are zips; .doc and .msi are
// OLE compound files; .tar.gz is gzip) sniff as their container. None of that is a
// contradiction; an executable or a PDF declared as an image is.

// One format under all its names, or media one container holds (audio or video).
const GROUPS: readonly (readonly string[])[] = [
  // Native executables
  [
    'application/x-msdownload',
    'application/vnd.microsoft.portable-executable',
    'application/x-dosexec',
    'application/x-msdos-program',
    'application/x-ms-dos-executable',
    'application/x-winexe',
    'application/x-exe',
    'application/exe',
  ],
  [
    'application/x-elf',
    'application/x-executable',
    'application/x-sharedlib',
    'application/x-pie-executable',
    'application/x-object',
    'application/x-coredump',
  ],
  ['application/x-mach-binary', 'application/x-mach-o-executable', 'application/x-mach-o'],
  // Images
  ['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/jfif', 'image/pjp', 'image/pipeg'],
  ['image/png', 'image/x-png', 'image/apng', 'image/vnd.mozilla.apng'],
  ['image/bmp', 'image/x-bmp', 'image/x-ms-bmp', 'image/x-windows-bmp'],
  ['image/x-icon', 'image/vnd.microsoft.icon', 'image/ico', 'image/icon'],
  // TIFF and the camera raw formats built on it
  [
    'image/tiff',
    'image/x-tiff',
    'image/tiff-fx',
    'image/x-adobe-dng',
    'image/x-nikon-nef',
    'image/x-sony-arw',
    'image/x-canon-cr2',
    'image/x-panasonic-rw2',
    'image/x-olympus-orf',
    'image/x-pentax-pef',
    'image/x-samsung-srw',
    'image/x-dcraw',
  ],
  ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'],
  ['image/avif', 'image/avif-sequence'],
  ['image/jp2', 'image/jpx', 'image/jpm', 'image/jpeg2000', 'image/j2c', 'image/mj2', 'video/mj2'],
  [
    'image/vnd.adobe.photoshop',
    'image/x-photoshop',
    'image/psd',
    'application/x-photoshop',
    'application/photoshop',
    'application/psd',
  ],
  ['image/vnd.dwg', 'image/x-dwg', 'application/acad', 'application/x-acad', 'application/dwg'],
  ['image/icns', 'image/x-icns'],
  // Audio and video, by container
  [
    'video/mp4',
    'audio/mp4',
    'application/mp4',
    'audio/x-m4a',
    'audio/m4a',
    'video/x-m4v',
    'audio/x-m4b',
    'audio/x-m4p',
    'video/quicktime',
    'video/3gpp',
    'video/3gpp2',
    'audio/3gpp',
    'audio/3gpp2',
    'audio/aac',
    'audio/x-aac',
    'audio/aacp',
    'video/iso.segment',
  ],
  [
    'video/webm',
    'audio/webm',
    'video/matroska',
    'video/x-matroska',
    'audio/matroska',
    'audio/x-matroska',
  ],
  [
    'application/ogg',
    'audio/ogg',
    'video/ogg',
    'audio/opus',
    'audio/vorbis',
    'audio/x-ogg',
    'video/x-ogg',
    'audio/x-vorbis+ogg',
    'audio/x-opus+ogg',
    'audio/x-flac+ogg',
    'audio/x-speex',
    'audio/speex',
  ],
  [
    'application/vnd.ms-asf',
    'video/x-ms-asf',
    'audio/x-ms-asf',
    'video/x-ms-wmv',
    'audio/x-ms-wma',
    'video/x-ms-wm',
  ],
  ['video/mpeg', 'video/mp1s', 'video/mp2p', 'video/x-mpeg', 'video/mpg', 'video/x-mpg'],
  ['video/mp2t', 'video/vnd.dlna.mpeg-tts'],
  [
    'audio/mpeg',
    'audio/mp3',
    'audio/x-mp3',
    'audio/mpeg3',
    'audio/x-mpeg',
    'audio/x-mpeg-3',
    'audio/mpa',
    'audio/mpg',
    'audio/x-mpg',
  ],
  ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'audio/x-pn-wav'],
  ['video/vnd.avi', 'video/x-msvideo', 'video/avi', 'video/msvideo'],
  ['audio/flac', 'audio/x-flac'],
  ['audio/aiff', 'audio/x-aiff'],
  ['audio/midi', 'audio/x-midi', 'audio/mid'],
  ['video/x-flv', 'video/flv'],
  ['audio/vnd.dolby.dd-raw', 'audio/ac3'],
  [
    'application/vnd.rn-realmedia',
    'application/vnd.rn-realmedia-vbr',
    'video/vnd.rn-realvideo',
    'audio/vnd.rn-realaudio',
    'audio/x-pn-realaudio',
  ],
  // Documents
  ['application/pdf', 'application/x-pdf', 'application/acrobat', 'text/pdf', 'text/x-pdf'],
  ['application/postscript', 'application/eps', 'application/x-eps', 'image/eps', 'image/x-eps'],
  ['application/rtf', 'text/rtf'],
  ['application/xml', 'text/xml'],
  ['text/vcard', 'text/x-vcard', 'text/directory'],
  // Archives and compressed data
  ['application/zip', 'application/x-zip-compressed', 'application/x-zip', 'multipart/x-zip'],
  ['application/x-rar-compressed', 'application/vnd.rar', 'application/x-rar'],
  [
    'application/gzip',
    'application/x-gzip',
    'application/x-gunzip',
    'application/gzipped',
    'application/gzip-compressed',
    'application/x-gzip-compressed',
  ],
  ['application/x-bzip2', 'application/x-bzip', 'application/bzip2'],
  ['application/zstd', 'application/x-zstd'],
  ['application/lzip', 'application/x-lzip'],
  ['application/x-tar', 'application/x-gtar', 'application/x-ustar'],
  ['application/vnd.ms-cab-compressed', 'application/x-cab-compressed'],
  ['application/x-deb', 'application/vnd.debian.binary-package', 'application/x-debian-package'],
  ['application/x-rpm', 'application/x-redhat-package-manager'],
  ['application/x-iso9660-image', 'application/x-cd-image'],
  ['application/java-archive', 'application/x-java-archive', 'application/x-jar'],
  ['application/java-vm', 'application/x-java-class', 'application/java', 'application/x-java-vm'],
  ['application/x-sqlite3', 'application/vnd.sqlite3'],
  ['application/x-shockwave-flash', 'application/vnd.adobe.flash.movie'],
  ['application/vnd.ms-htmlhelp', 'application/x-chm'],
  ['application/vnd.tcpdump.pcap', 'application/x-pcap', 'application/pcap'],
  // Fonts (TrueType and OpenType are both sfnt)
  [
    'font/ttf',
    'font/otf',
    'font/sfnt',
    'application/x-font-ttf',
    'application/x-font-truetype',
    'application/x-font-otf',
    'application/x-font-opentype',
    'application/font-sfnt',
    'application/vnd.ms-opentype',
  ],
  ['font/woff', 'application/font-woff', 'application/x-font-woff'],
  ['font/woff2', 'application/font-woff2'],
  ['model/stl', 'application/sla', 'application/vnd.ms-pki.stl', 'model/x.stl-binary'],
];

const GROUP_OF = new Map<string, number>();
GROUPS.forEach((group, index) => {
  for (const type of group) GROUP_OF.set(type, index);
});

/** Every name of the format `type` names (itself first when it has no others). */
export function namesOf(type: string): readonly string[] {
  const group = GROUP_OF.get(type);
  return group === undefined ? [type] : (GROUPS[group] ?? [type]);
}

// Declared types that say nothing about the content.
const UNSPECIFIC = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
  'application/unknown',
  'application/x-unknown',
  'application/force-download',
  'application/x-download',
  'application/download',
]);

export function isUnspecific(declared: string): boolean {
  return UNSPECIFIC.has(declared);
}

const sameGroup = (a: string, b: string): boolean =>
  a === b || (GROUP_OF.has(a) && GROUP_OF.get(a) === GROUP_OF.get(b));
const subtypeOf = (type: string): string => type.slice(type.indexOf('/') + 1);
const topLevelOf = (type: string): string => type.slice(0, type.indexOf('/'));

// --- Zip containers ---------------------------------------------------------------------------
const ZIP = 'application/zip';
const ZIP_TYPES = new Set([
  'application/java-archive',
  'application/x-java-archive',
  'application/x-jar',
  'application/vnd.android.package-archive',
  'application/x-xpinstall',
  'application/vnd.apple.keynote',
  'application/vnd.apple.numbers',
  'application/vnd.apple.pages',
  'application/vnd.visio',
  'application/vnd.google-earth.kmz',
  'application/vnd.ms-xpsdocument',
  'application/oxps',
  'application/x-itunes-ipa',
  'application/x-krita',
  'image/openraster',
  'model/3mf',
]);

/** Office Open XML, OpenDocument, iWork: members of one family may pass for one another. */
function zipFamily(type: string): string {
  if (
    type.startsWith('application/vnd.openxmlformats-officedocument.') ||
    type.endsWith('.macroenabled.12') ||
    type.startsWith('application/vnd.ms-visio.') ||
    type === 'application/vnd.visio'
  ) {
    return 'office';
  }
  if (type.startsWith('application/vnd.oasis.opendocument.')) return 'opendocument';
  if (type.startsWith('application/vnd.apple.')) return 'iwork';
  return namesOf(type)[0] ?? type;
}

function isZipBased(type: string): boolean {
  return (
    sameGroup(type, ZIP) ||
    type.endsWith('+zip') ||
    ZIP_TYPES.has(type) ||
    ['office', 'opendocument', 'iwork'].includes(zipFamily(type))
  );
}

// --- OLE compound files (legacy Office documents, .msg, .msi) ---------------------------------
const CFB = 'application/x-cfb';
function isCfbBased(type: string): boolean {
  return (
    type === CFB ||
    type === 'application/msword' ||
    type.startsWith('application/vnd.ms-') ||
    [
      'application/vnd.visio',
      'application/x-msi',
      'application/x-ole-storage',
      'application/x-mspublisher',
      'application/x-hwp',
      'image/vnd.fpx',
    ].includes(type)
  );
}

// --- Compressed data ----------------------------------------------------------------------------
const COMPRESSORS = [
  'application/gzip',
  'application/x-bzip2',
  'application/x-xz',
  'application/zstd',
  'application/x-lz4',
  'application/lzip',
  'application/x-compress',
];
const isCompressor = (type: string): boolean => COMPRESSORS.some((c) => sameGroup(type, c));
// application/x-tar, x-gtar, x-compressed-tar, x-bzip-compressed-tar, x-tgz, tar+gzip …
const isTarLike = (type: string): boolean =>
  /^(?:x-)?[gu]?tar(?:\+[a-z0-9]+)?$|-compressed-tar$|^x-t(?:gz|bz2?|xz|zst)$|^x-compressed$/.test(
    subtypeOf(type),
  );

// --- Text -------------------------------------------------------------------------------------
const TEXT_APPLICATION = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/x-sh',
  'application/x-csh',
  'application/x-shellscript',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/sql',
  'application/x-httpd-php',
  'application/x-php',
  'application/x-ndjson',
  'application/x-subrip',
  'application/x-tex',
  'application/x-latex',
  'application/x-perl',
  'application/x-python',
  'application/x-ruby',
  'application/graphql',
  'application/csv',
  'application/x-csv',
  'application/rtf',
  'application/postscript',
]);

/** Types whose content is text: the sniffer's binary signatures do not apply to them. */
export function isTextual(type: string): boolean {
  return (
    topLevelOf(type) === 'text' ||
    /\+(?:json|xml|yaml)$/.test(type) ||
    TEXT_APPLICATION.has(type) ||
    sameGroup(type, 'application/xml')
  );
}

const isXmlLike = (type: string): boolean =>
  sameGroup(type, 'application/xml') ||
  type.endsWith('+xml') ||
  type === 'text/html' ||
  type === 'application/xhtml+xml';

// --- Types we cannot know the make-up of ---------------------------------------------------------
// Vendor formats are often a zip, a gzip, an OLE file, XML or a SQLite database inside
// (.nupkg, .whl, .gpkg, .mbtiles …): when the declared type is one the sniffer does not know,
// such a container proves nothing.
const GENERIC_CONTAINERS = [
  ZIP,
  CFB,
  'application/xml',
  'application/x-tar',
  'application/x-sqlite3',
];
const KNOWN = new Set([...supportedMimeTypes].map((t) => t.toLowerCase().split(';')[0] ?? t));

function isUnknownApplicationType(type: string): boolean {
  if (['text', 'image', 'audio', 'video', 'font'].includes(topLevelOf(type))) return false;
  return !KNOWN.has(type) && !GROUP_OF.has(type) && !isZipBased(type) && !isCfbBased(type);
}
const isGenericContainer = (type: string): boolean =>
  isCompressor(type) || GENERIC_CONTAINERS.some((c) => sameGroup(type, c));

/**
 * Whether content sniffed as `detected` fits a file declared as `declared` (both bare,
 * lower-case types). Unspecific declarations (application/octet-stream) are not handled here.
 */
export function fits(declared: string, detected: string): boolean {
  if (sameGroup(declared, detected)) return true;
  if (isZipBased(detected) && isZipBased(declared)) {
    return (
      sameGroup(detected, ZIP) ||
      sameGroup(declared, ZIP) ||
      zipFamily(detected) === zipFamily(declared)
    );
  }
  if (detected === CFB && isCfbBased(declared)) return true;
  if ((isCompressor(detected) || sameGroup(detected, 'application/x-tar')) && isTarLike(declared))
    return true;
  // .svgz is gzip-compressed SVG and keeps the SVG type.
  if (sameGroup(detected, 'application/gzip') && declared === 'image/svg+xml') return true;
  if (sameGroup(detected, 'application/xml') && isXmlLike(declared)) return true;
  if (isTextual(detected) && isTextual(declared)) return true;
  return isGenericContainer(detected) && isUnknownApplicationType(declared);
}
