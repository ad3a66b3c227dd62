import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { EXAMPLE_PRESIGNED_PUT, EXAMPLE_SHA256 } from './examples.js';
import { FileResponse } from './file.response.js';

const HEADERS_EXAMPLE = {
  'content-length': '2457600',
  'content-type': 'image/jpeg',
  'x-amz-checksum-sha256': Buffer.from(EXAMPLE_SHA256, 'hex').toString('base64'),
  'if-none-match': '*',
};

export class SingleUploadResponse {
  @ApiProperty({ enum: ['single'], example: 'single' })
  mode!: 'single';

  @ApiProperty({ enum: ['PUT'], example: 'PUT' })
  method!: 'PUT';

  @ApiProperty({
    description: 'Presigned storage URL: PUT the bytes there.',
    example: EXAMPLE_PRESIGNED_PUT,
  })
  url!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Send exactly these headers: the signature binds the length, type, SHA-256 and ' +
      '`If-None-Match: *` (nothing can be overwritten, not even by a second PUT of this URL).',
    example: HEADERS_EXAMPLE,
  })
  headers!: Record<string, string>;

  @ApiProperty({
    format: 'date-time',
    description:
      'The URL stops working then (UPLOAD_URL_TTL_SECONDS, never past the upload window).',
    example: '2026-01-01T12:10:00.000Z',
  })
  expiresAt!: string;
}

export class MultipartUploadResponse {
  @ApiProperty({ enum: ['multipart'], example: 'multipart' })
  mode!: 'multipart';

  @ApiProperty({
    type: 'integer',
    description: 'Bytes of every part but the last (which holds the rest).',
    example: 8_388_608,
  })
  partSize!: number;

  @ApiProperty({ type: 'integer', description: 'Parts 1..partCount, at most 10000.', example: 3 })
  partCount!: number;

  @ApiProperty({
    format: 'date-time',
    description:
      'The whole upload must be completed by then (UPLOAD_WINDOW_SECONDS, never past the session’s expiry).',
    example: '2026-01-02T12:00:00.000Z',
  })
  expiresAt!: string;
}

export type UploadResponse = SingleUploadResponse | MultipartUploadResponse;

export class DeclaredFileResponse {
  @ApiProperty({ type: FileResponse, description: 'The new file, pending.' })
  file!: FileResponse;

  @ApiProperty({
    oneOf: [
      { $ref: getSchemaPath(SingleUploadResponse) },
      { $ref: getSchemaPath(MultipartUploadResponse) },
    ],
    discriminator: { propertyName: 'mode' },
    description:
      'How to upload: one presigned PUT below MULTIPART_THRESHOLD_BYTES, else parts requested ' +
      'with POST /v1/files/{fileId}/parts.',
  })
  upload!: UploadResponse;
}
