import QRCode from 'qrcode';

export const QR_FORMATS = ['svg', 'png', 'txt'] as const;
export type QrFormat = (typeof QR_FORMATS)[number];

/** Level M restores up to ~15 % of damaged modules: enough for a screen photographed at an angle. */
export const QR_ERROR_CORRECTION = 'M';
/** Quiet zone in modules, as ISO/IEC 18004 asks. */
export const QR_MARGIN = 4;
/** Pixels per module of the PNG and of the SVG's nominal size. */
export const QR_SCALE = 8;

export interface RenderedQr {
  contentType: string;
  body: string | Buffer;
}

export const QR_CONTENT_TYPES: Readonly<Record<QrFormat, string>> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  txt: 'text/plain; charset=utf-8',
};

/** The QR symbol's modules (true = dark), row by row, without quiet zone. */
export interface QrMatrix {
  size: number;
  isDark(row: number, col: number): boolean;
}

export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  return {
    size: modules.size,
    isDark: (row, col) =>
      row >= 0 &&
      col >= 0 &&
      row < modules.size &&
      col < modules.size &&
      modules.data[row * modules.size + col] === 1,
  };
}

// Upper / lower half of a character cell lit: the terminal's foreground colour.
const CELLS = { both: '█', upper: '▀', lower: '▄', none: ' ' } as const;

/**
 * The symbol as Unicode half blocks, two module rows per line: (size + 2·margin) columns,
 * ceil((size + 2·margin) / 2) lines, each ending with a newline. Light modules (and the quiet
 * zone) are drawn in the foreground colour and dark modules left blank, as `qrencode -t UTF8`
 * does, so the code reads the right way round on the usual light-on-dark terminal.
 */
export function renderHalfBlocks(matrix: QrMatrix, margin = QR_MARGIN): string {
  const extent = matrix.size + 2 * margin;
  const light = (row: number, col: number): boolean => !matrix.isDark(row - margin, col - margin);
  const lines: string[] = [];
  for (let row = 0; row < extent; row += 2) {
    let line = '';
    for (let col = 0; col < extent; col++) {
      const upper = light(row, col);
      // Past the last row (odd extent) is more quiet zone.
      const lower = row + 1 >= extent || light(row + 1, col);
      line += upper ? (lower ? CELLS.both : CELLS.upper) : lower ? CELLS.lower : CELLS.none;
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** `text` (the pairing URL) as a QR code in the given format. */
export async function renderQr(text: string, format: QrFormat): Promise<RenderedQr> {
  const contentType = QR_CONTENT_TYPES[format];
  const options = { errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_MARGIN } as const;
  switch (format) {
    case 'png':
      return {
        contentType,
        body: await QRCode.toBuffer(text, { ...options, type: 'png', scale: QR_SCALE }),
      };
    case 'svg': {
      // The nominal size makes a viewer that ignores the viewBox draw 8 px per module too.
      const width = (qrMatrix(text).size + 2 * QR_MARGIN) * QR_SCALE;
      return { contentType, body: await QRCode.toString(text, { ...options, type: 'svg', width }) };
    }
    case 'txt':
      return { contentType, body: renderHalfBlocks(qrMatrix(text)) };
  }
}
