import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { QR_FORMATS, type QrFormat } from '../qr-renderer.js';

export class QrQueryDto {
  @ApiPropertyOptional({
    enum: QR_FORMATS,
    default: 'svg',
    description:
      'svg (image/svg+xml), png (image/png, 8 px per module) or txt (Unicode half blocks for a ' +
      'terminal: `curl … | cat`).',
    example: 'svg',
  })
  @IsOptional()
  @IsIn(QR_FORMATS)
  format?: QrFormat;
}
