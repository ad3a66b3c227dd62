import { ApiProperty } from '@nestjs/swagger';

export class DownloadResponse {
  @ApiProperty({
    description:
      'Presigned GET, valid about a minute (DOWNLOAD_URL_TTL_SECONDS). Storage answers with ' +
      '`Content-Disposition: attachment` (RFC 6266 filename and RFC 5987 filename*) and the ' +
      'stored content type.',
    example:
      'https://s3.example.com/sharexpress/sessions/mZ3q8V0xT2kR9bYcLw4n1A/files/Qm8vT3xK1pR6wZ9cL2nB4A' +
      '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=60&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=5d1f...&response-content-disposition=attachment%3B%20filename%3D%22photo.jpg%22' +
      '&response-content-type=image%2Fjpeg&x-id=GetObject',
  })
  url!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:01:00.000Z' })
  expiresAt!: string;

  @ApiProperty({
    type: 'integer',
    description: 'Downloads left after this one.',
    example: 9,
  })
  remainingDownloads!: number;
}
