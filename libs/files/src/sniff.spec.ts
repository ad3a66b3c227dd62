import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import { SNIFF_HEAD_BYTES, sniffContradiction, type BlockList } from './sniff.js';

// Real file heads, built byte by byte the way the formats define them.

/** A PE32+ image: DOS header with e_lfanew, DOS stub, "PE\0\0", COFF header for x86-64. */
function pe(): Buffer {
  const file = Buffer.alloc(1024);
  file.write('MZ', 0, 'latin1');
  file.writeUInt16LE(0x90, 2); // bytes on last page
  file.writeUInt16LE(3, 4); // pages
  file.writeUInt16LE(4, 8); // header paragraphs
  file.writeUInt32LE(0x80, 0x3c); // e_lfanew
  file.write('This program cannot be run in DOS mode.\r\r\n$', 0x4e, 'latin1');
  file.write('PE\0\0', 0x80, 'latin1');
  file.writeUInt16LE(0x8664, 0x84); // machine: AMD64
  file.writeUInt16LE(3, 0x86); // sections
  file.writeUInt16LE(0xf0, 0x94); // optional header size
  file.writeUInt16LE(0x22, 0x96); // characteristics: executable, large address aware
  file.writeUInt16LE(0x20b, 0x98); // PE32+ magic
  return file;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A complete 1×1 RGB PNG. */
function png(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 0xff, 0, 0]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** JFIF APP0, a quantization table marker and EOI. */
function jpeg(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]),
    Buffer.alloc(64, 1),
    Buffer.from([0xff, 0xd9]),
  ]);
}

const pdf = (): Buffer =>
  Buffer.concat([
    Buffer.from('%PDF-1.7\n%', 'latin1'),
    Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
    Buffer.from('\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n', 'latin1'),
  ]);

/** A 64-bit little-endian ELF executable header for x86-64. */
function elf(): Buffer {
  const file = Buffer.alloc(128);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(file);
  file.writeUInt16LE(2, 16); // ET_EXEC
  file.writeUInt16LE(0x3e, 18); // x86-64
  file.writeUInt32LE(1, 20);
  return file;
}

/** A 64-bit Mach-O header (MH_MAGIC_64, little-endian), x86-64 executable. */
function machO(): Buffer {
  const file = Buffer.alloc(64);
  file.writeUInt32LE(0xfeedfacf, 0);
  file.writeUInt32LE(0x01000007, 4);
  file.writeUInt32LE(2, 12); // MH_EXECUTE
  return file;
}

/** A ZIP archive of stored (uncompressed) entries with its central directory. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const docx = (): Buffer =>
  zip({
    '[Content_Types].xml':
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    'word/document.xml': '<w:document/>',
  });
const jar = (): Buffer => zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n' });
const epub = (): Buffer =>
  zip({ mimetype: 'application/epub+zip', 'OEBPS/content.opf': '<package/>' });
const plainZip = (): Buffer => zip({ 'notes.txt': 'hello' });

/** A POSIX ustar header for one file, checksum included. */
function tar(): Buffer {
  const header = Buffer.alloc(1024);
  header.write('hello.txt', 0, 'latin1');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write('00000000005\0', 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write('        ', 148, 'latin1');
  header.write('0', 156, 'latin1');
  header.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += header[i] ?? 0;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  header.write('hello', 512, 'latin1');
  return header;
}

/** An OLE compound file header (legacy .doc / .xls / .msi). */
function cfb(): Buffer {
  const file = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(file);
  file.writeUInt16LE(0x3e, 24);
  file.writeUInt16LE(3, 26);
  file.writeUInt16LE(0xfffe, 28);
  file.writeUInt16LE(9, 30);
  return file;
}

/** An ISO BMFF file-type box with the given major brand (mp4, m4a, heic …). */
function ftyp(brand: string, compatible = ['isom', 'iso2', 'mp41']): Buffer {
  const size = 16 + 4 * compatible.length;
  const box = Buffer.alloc(size + 8);
  box.writeUInt32BE(size, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(brand, 8, 'latin1');
  box.writeUInt32BE(0x200, 12);
  compatible.forEach((c, i) => box.write(c, 16 + 4 * i, 'latin1'));
  box.writeUInt32BE(8, size);
  box.write('free', size + 4, 'latin1');
  return box;
}

/** The first Ogg page of a Vorbis stream. */
function oggVorbis(): Buffer {
  const page = Buffer.alloc(58);
  page.write('OggS', 0, 'latin1');
  page.writeUInt8(2, 5); // beginning of stream
  page.writeUInt8(1, 26);
  page.writeUInt8(30, 27);
  Buffer.from([0x01, 0x76, 0x6f, 0x72, 0x62, 0x69, 0x73]).copy(page, 28);
  return page;
}

const gif = (): Buffer =>
  Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0])]);
const html = (
  text = '<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n',
): Buffer => Buffer.from(text);

// What ContentTypePolicy.blocks answers for CONTENT_TYPES_BLOCKED (kept apart so that this
// spec depends on the sniffer alone).
const blockListOf = (...types: string[]): BlockList => ({ blocks: (type) => types.includes(type) });
const blocked = blockListOf(
  'application/x-msdownload',
  'application/vnd.microsoft.portable-executable',
  'application/x-elf',
  'application/x-mach-binary',
);

describe('the fixtures', () => {
  it('are the formats they claim to be', async () => {
    const expected: [Buffer, string][] = [
      [pe(), 'exe'],
      [png(), 'png'],
      [jpeg(), 'jpg'],
      [gif(), 'gif'],
      [pdf(), 'pdf'],
      [elf(), 'elf'],
      [machO(), 'macho'],
      [plainZip(), 'zip'],
      [docx(), 'docx'],
      [jar(), 'jar'],
      [epub(), 'epub'],
      [tar(), 'tar'],
      [gzipSync(tar()), 'tar.gz'],
      [cfb(), 'cfb'],
      [ftyp('isom'), 'mp4'],
      [ftyp('M4A ', ['M4A ', 'isom']), 'm4a'],
      [ftyp('heic', ['mif1', 'heic']), 'heic'],
      [oggVorbis(), 'ogg'],
    ];
    for (const [head, ext] of expected) {
      assert.equal((await fileTypeFromBuffer(head))?.ext, ext);
    }
    assert.equal(await fileTypeFromBuffer(html()), undefined);
  });
});

describe('sniffContradiction', () => {
  it('accepts content that is what it was declared to be', async () => {
    const cases: [string, Buffer][] = [
      ['image/png', png()],
      ['image/jpeg', jpeg()],
      ['image/gif', gif()],
      ['application/pdf', pdf()],
      ['application/zip', plainZip()],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', docx()],
      ['application/java-archive', jar()],
      ['application/epub+zip', epub()],
      ['application/x-tar', tar()],
      ['application/gzip', gzipSync(Buffer.from('hello'))],
      ['video/mp4', ftyp('isom')],
      ['audio/ogg', oggVorbis()],
      ['application/x-msdownload', pe()],
      ['application/x-elf', elf()],
    ];
    for (const [type, head] of cases) {
      assert.equal(await sniffContradiction(type, head), null, type);
    }
  });

  it('refuses a Windows executable declared as an image, naming both types', async () => {
    assert.equal(
      await sniffContradiction('image/png', pe()),
      'content looks like application/x-msdownload (exe), not image/png',
    );
    assert.match(
      (await sniffContradiction('text/plain', pe())) ?? '',
      /x-msdownload \(exe\), not text\/plain$/,
    );
    assert.match((await sniffContradiction('application/pdf', pe())) ?? '', /x-msdownload/);
  });

  it('refuses ELF and Mach-O executables, PDFs and archives declared as something else', async () => {
    assert.equal(
      await sniffContradiction('image/jpeg', elf()),
      'content looks like application/x-elf (elf), not image/jpeg',
    );
    assert.match(
      (await sniffContradiction('audio/mpeg', machO())) ?? '',
      /application\/x-mach-binary/,
    );
    assert.equal(
      await sniffContradiction('image/png', pdf()),
      'content looks like application/pdf (pdf), not image/png',
    );
    assert.equal(
      await sniffContradiction('image/jpeg', png()),
      'content looks like image/png (png), not image/jpeg',
    );
    assert.match(
      (await sniffContradiction('text/plain', plainZip())) ?? '',
      /application\/zip \(zip\), not text\/plain/,
    );
    assert.match((await sniffContradiction('application/pdf', jar())) ?? '', /java-archive/);
  });

  it('refuses HTML, SVG and XML declared as an image, audio or video', async () => {
    assert.equal(
      await sniffContradiction('image/jpeg', html()),
      'content looks like text/html (starts with <!doctype html), not image/jpeg',
    );
    const variants: [string, string][] = [
      ['  \r\n\t<HTML lang="en">', '<html'],
      ['\uFEFF<html>', '<html'],
      ['<script>alert(1)</script>', '<script'],
      ['<iframe src=x>', '<iframe'],
      ['<body onload=x>', '<body'],
      ['<a href=x>', '<a'],
      ['<p>', '<p'],
      ['<html', '<html'],
      ['<!-- x --><div>', '<!--'],
    ];
    for (const [text, start] of variants) {
      const reason = await sniffContradiction('image/png', html(text));
      assert.ok(
        reason?.includes(`(starts with ${start})`),
        `${JSON.stringify(text)}: ${String(reason)}`,
      );
    }
    assert.equal(
      await sniffContradiction(
        'image/png',
        html('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
      ),
      'content looks like image/svg+xml (starts with <svg), not image/png',
    );
    assert.match(
      (await sniffContradiction('image/gif', html('<?xml version="1.0"?><svg/>'))) ?? '',
      /application\/xml/,
    );
    assert.match((await sniffContradiction('video/mp4', html())) ?? '', /text\/html/);
    assert.match(
      (await sniffContradiction('audio/mpeg', html('<html><body>'))) ?? '',
      /text\/html/,
    );
    // Words that merely start like a tag are no markup.
    assert.equal(await sniffContradiction('image/png', html('<abc>')), null);
    assert.equal(await sniffContradiction('image/png', html('<bold>')), null);
  });

  it('lets SVG be SVG, but not HTML', async () => {
    const svg =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>';
    assert.equal(await sniffContradiction('image/svg+xml', html(svg)), null);
    assert.equal(await sniffContradiction('image/svg+xml', html('<svg width="1"/>')), null);
    assert.equal(
      await sniffContradiction(
        'image/svg+xml',
        html('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>'),
      ),
      null,
    );
    assert.match(
      (await sniffContradiction('image/svg+xml', html())) ?? '',
      /text\/html \(starts with <!doctype html\)/,
    );
    assert.match((await sniffContradiction('image/svg+xml', pe())) ?? '', /x-msdownload/);
    // .svgz: gzip-compressed SVG keeps the SVG type.
    assert.equal(await sniffContradiction('image/svg+xml', gzipSync(Buffer.from(svg))), null);
  });

  it('lets HTML be declared as HTML or text', async () => {
    assert.equal(await sniffContradiction('text/html', html()), null);
    assert.equal(await sniffContradiction('text/plain', html()), null);
    assert.equal(await sniffContradiction('application/octet-stream', html()), null);
  });

  it('lets application/octet-stream hold anything', async () => {
    for (const head of [pe(), elf(), png(), pdf(), plainZip(), html(), Buffer.from([1, 2, 3])]) {
      assert.equal(await sniffContradiction('application/octet-stream', head), null);
    }
  });

  it('refuses content of a blocked type whatever was declared, given the policy', async () => {
    assert.equal(
      await sniffContradiction('application/octet-stream', pe(), blocked),
      'content looks like application/x-msdownload (exe), a blocked type',
    );
    assert.match(
      (await sniffContradiction('application/octet-stream', elf(), blocked)) ?? '',
      /a blocked type$/,
    );
    assert.match(
      (await sniffContradiction('application/octet-stream', machO(), blocked)) ?? '',
      /a blocked type$/,
    );
    // Blocked under another name of the same format.
    const byAlias = blockListOf('application/vnd.microsoft.portable-executable');
    assert.match(
      (await sniffContradiction('application/octet-stream', pe(), byAlias)) ?? '',
      /blocked/,
    );
    assert.equal(await sniffContradiction('application/octet-stream', png(), blocked), null);
    assert.equal(await sniffContradiction('image/png', png(), blocked), null);
  });

  it('accepts other names of the same format', async () => {
    assert.equal(await sniffContradiction('image/jpg', jpeg()), null);
    assert.equal(await sniffContradiction('image/pjpeg', jpeg()), null);
    assert.equal(await sniffContradiction('image/x-png', png()), null);
    assert.equal(await sniffContradiction('application/x-zip-compressed', plainZip()), null);
    assert.equal(await sniffContradiction('application/x-gzip', gzipSync(Buffer.from('x'))), null);
    assert.equal(await sniffContradiction('application/x-pdf', pdf()), null);
    assert.equal(
      await sniffContradiction('application/vnd.microsoft.portable-executable', pe()),
      null,
    );
    assert.equal(await sniffContradiction('IMAGE/PNG', png()), null);
  });

  it('accepts zip-based formats and plain zips for one another', async () => {
    assert.equal(await sniffContradiction('application/zip', docx()), null);
    assert.equal(await sniffContradiction('application/zip', jar()), null);
    assert.equal(await sniffContradiction('application/zip', epub()), null);
    // A docx whose telling entries lie beyond the sniffed head sniffs as a plain zip.
    assert.equal(
      await sniffContradiction(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        plainZip(),
      ),
      null,
    );
    assert.equal(
      await sniffContradiction('application/vnd.oasis.opendocument.text', plainZip()),
      null,
    );
    assert.equal(await sniffContradiction('application/epub+zip', plainZip()), null);
    assert.equal(await sniffContradiction('application/java-archive', plainZip()), null);
    // One Office format for another (docx vs xlsx) is a mislabel, not a disguise.
    assert.equal(
      await sniffContradiction(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        docx(),
      ),
      null,
    );
    assert.equal(
      await sniffContradiction('application/vnd.ms-word.document.macroenabled.12', docx()),
      null,
    );
    // But a jar is no Word document.
    assert.match(
      (await sniffContradiction(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        jar(),
      )) ?? '',
      /java-archive \(jar\)/,
    );
  });

  it('accepts OLE compound files for the legacy Office and installer types', async () => {
    for (const type of [
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/x-msi',
      'application/vnd.ms-outlook',
    ]) {
      assert.equal(await sniffContradiction(type, cfb()), null, type);
    }
    assert.match((await sniffContradiction('image/png', cfb())) ?? '', /application\/x-cfb/);
  });

  it('accepts compressed tarballs declared as tar, and tar under its other names', async () => {
    const tgz = gzipSync(tar());
    for (const type of [
      'application/x-tar',
      'application/x-gtar',
      'application/x-compressed-tar',
      'application/x-tgz',
      'application/gzip',
      'application/x-gzip',
    ]) {
      assert.equal(await sniffContradiction(type, tgz), null, type);
    }
    assert.equal(await sniffContradiction('application/x-gtar', tar()), null);
    assert.equal(await sniffContradiction('application/x-ustar', tar()), null);
    assert.match((await sniffContradiction('image/png', tgz)) ?? '', /application\/gzip/);
    assert.match((await sniffContradiction('application/zip', tgz)) ?? '', /application\/gzip/);
  });

  it('accepts a media container under its audio or its video name', async () => {
    for (const type of [
      'video/mp4',
      'audio/mp4',
      'audio/x-m4a',
      'video/quicktime',
      'video/x-m4v',
      'audio/aac',
    ]) {
      assert.equal(await sniffContradiction(type, ftyp('isom')), null, type);
      assert.equal(await sniffContradiction(type, ftyp('M4A ', ['M4A ', 'isom'])), null, type);
    }
    for (const type of [
      'audio/ogg',
      'video/ogg',
      'application/ogg',
      'audio/opus',
      'audio/vorbis',
    ]) {
      assert.equal(await sniffContradiction(type, oggVorbis()), null, type);
    }
    assert.match((await sniffContradiction('video/webm', ftyp('isom'))) ?? '', /video\/mp4/);
    assert.match((await sniffContradiction('image/png', ftyp('isom'))) ?? '', /video\/mp4/);
    assert.match((await sniffContradiction('video/mp4', oggVorbis())) ?? '', /audio\/ogg/);
  });

  it('accepts HEIF photos under either name', async () => {
    const heic = ftyp('heic', ['mif1', 'heic']);
    assert.equal(await sniffContradiction('image/heic', heic), null);
    assert.equal(await sniffContradiction('image/heif', heic), null);
    assert.match((await sniffContradiction('video/mp4', heic)) ?? '', /image\/hei[cf]/);
  });

  it('does not mistake text for the binary formats it happens to start like', async () => {
    // "MZ" is a PE signature, "BM" a bitmap's, "ID3" an MP3 tag's.
    for (const text of [
      'MZ is the first line of these notes\n',
      'BMW service history;2024\n',
      'ID3 tags explained\n',
    ]) {
      for (const type of ['text/plain', 'text/csv', 'text/markdown', 'application/json']) {
        assert.equal(await sniffContradiction(type, Buffer.from(text)), null, `${type}: ${text}`);
      }
    }
    // Latin-1 and UTF-16 text (with its byte order mark) are text too.
    assert.equal(await sniffContradiction('text/plain', Buffer.from('BM Größe\n', 'latin1')), null);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('hello, world', 'utf16le'),
    ]);
    assert.equal(await sniffContradiction('text/plain', utf16), null);
    // But a real executable declared as text is refused.
    assert.match((await sniffContradiction('text/plain', elf())) ?? '', /x-elf/);
  });

  it('accepts XML under any XML type', async () => {
    const xml = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"/>',
    );
    for (const type of [
      'application/xml',
      'text/xml',
      'application/vnd.google-earth.kml+xml',
      'application/rss+xml',
      'text/plain',
    ]) {
      assert.equal(await sniffContradiction(type, xml), null, type);
    }
  });

  it('lets unrecognized bytes pass: they contradict nothing', async () => {
    assert.equal(await sniffContradiction('text/plain', Buffer.from('just some text\n')), null);
    assert.equal(await sniffContradiction('image/png', Buffer.alloc(0)), null);
    assert.equal(
      await sniffContradiction('application/x-custom', Buffer.from([0, 1, 2, 3, 4, 5, 6, 7])),
      null,
    );
    assert.equal(await sniffContradiction('image/png', Buffer.from([0x89, 0x50])), null); // a truncated head
  });

  it('gives vendor types that may wrap a container the benefit of the doubt', async () => {
    // .nupkg, .whl, .gpkg …: a zip, a gzip or a tar inside is no contradiction.
    assert.equal(await sniffContradiction('application/x-nupkg', plainZip()), null);
    assert.equal(
      await sniffContradiction('application/vnd.example.bundle', gzipSync(Buffer.from('x'))),
      null,
    );
    assert.equal(await sniffContradiction('application/vnd.example.bundle', cfb()), null);
    // A specific format is still a contradiction.
    assert.match((await sniffContradiction('application/x-nupkg', pe())) ?? '', /x-msdownload/);
    assert.match(
      (await sniffContradiction('application/vnd.example.bundle', png())) ?? '',
      /image\/png/,
    );
  });

  it('reads a plain Uint8Array as well as a Buffer', async () => {
    assert.match(
      (await sniffContradiction('image/png', new Uint8Array(pe()))) ?? '',
      /x-msdownload/,
    );
    const offset = Buffer.concat([Buffer.from('xx'), html()]).subarray(2); // a view into a larger buffer
    assert.match((await sniffContradiction('image/png', offset)) ?? '', /text\/html/);
  });

  it('sniffs a head of the size the files module reads', async () => {
    const head = Buffer.concat([png(), Buffer.alloc(SNIFF_HEAD_BYTES)]).subarray(
      0,
      SNIFF_HEAD_BYTES,
    );
    assert.equal(await sniffContradiction('image/png', head), null);
    assert.match((await sniffContradiction('image/webp', head)) ?? '', /image\/png/);
  });
});
