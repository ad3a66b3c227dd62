import { ApiProperty } from '@nestjs/swagger';

export class PartUrlResponse {
  @ApiProperty({ type: 'integer', example: 1 })
  partNumber!: number;

  @ApiProperty({
    description: 'Presigned UploadPart URL: PUT the part’s bytes there.',
    example:
      'https://s3.example.com/sharexpress/sessions/mZ3q8V0xT2kR9bYcLw4n1A/files/Qm8vT3xK1pR6wZ9cL2nB4A' +
      '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-SignedHeaders=content-length%3Bhost%3Bx-amz-checksum-sha256' +
      '&X-Amz-Signature=5d1f...&partNumber=1&uploadId=2~abc&x-id=UploadPart',
  })
  url!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Send exactly these: the signature binds the part’s length and SHA-256.',
    example: {
      'content-length': '8388608',
      'x-amz-checksum-sha256': '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    },
  })
  headers!: Record<string, string>;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:10:00.000Z' })
  expiresAt!: string;
}

export class PartUrlsResponse {
  @ApiProperty({ type: [PartUrlResponse] })
  parts!: PartUrlResponse[];
}

export class StoredPartResponse {
  @ApiProperty({ type: 'integer', example: 1 })
  partNumber!: number;

  @ApiProperty({ type: 'integer', description: 'Bytes storage holds for it.', example: 8_388_608 })
  size!: number;

  @ApiProperty({ example: '"b1946ac92492d2347c6235b4d2611184"' })
  etag!: string;
}

export class StoredPartsResponse {
  @ApiProperty({
    type: [StoredPartResponse],
    description: 'Every part storage holds, by part number: upload the missing ones to resume.',
  })
  parts!: StoredPartResponse[];
}
