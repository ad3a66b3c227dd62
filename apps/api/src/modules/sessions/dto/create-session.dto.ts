import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Min,
  ValidateNested,
} from 'class-validator';
import { NameField, PERMISSIONS, type Permission } from '@app/common';

export const SESSION_NAME_MAX_LENGTH = 100;

// The maxima are server settings (config.sessions), so they are checked by SessionsService,
// which names the field in its 400; here only types and the lower bound.
const limit = (description: string, example: number): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, description, example }),
    IsOptional(),
    IsInt(),
    Min(1),
  );

export class SessionLimitsDto {
  @limit('Devices pending or active at once (at most SESSION_MAX_DEVICES, the default).', 5)
  maxDevices?: number;

  @limit('Files (at most SESSION_MAX_FILES, the default).', 50)
  maxFiles?: number;

  @limit('Bytes of all files (at most SESSION_MAX_TOTAL_BYTES, the default).', 1_073_741_824)
  maxTotalBytes?: number;

  @limit('Bytes of one file (at most SESSION_MAX_FILE_BYTES, the default).', 104_857_600)
  maxFileBytes?: number;

  @limit('Downloads of each file (at most SESSION_MAX_DOWNLOADS_PER_FILE, the default).', 10)
  maxDownloadsPerFile?: number;
}

export class CreateSessionDto {
  @NameField({
    maxLength: SESSION_NAME_MAX_LENGTH,
    optional: true,
    example: 'Holiday photos',
    description: 'Shown to paired devices; default "Sharing session".',
  })
  name?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description:
      'Lifetime in seconds, SESSION_MIN_TTL_SECONDS (60) .. SESSION_MAX_TTL_SECONDS (604800); ' +
      'default SESSION_DEFAULT_TTL_SECONDS (3600).',
    example: 3600,
  })
  @IsOptional()
  @IsInt()
  ttlSeconds?: number;

  @ApiPropertyOptional({
    enum: PERMISSIONS,
    isArray: true,
    uniqueItems: true,
    description: 'What paired devices may do; may be empty. Default ["upload","download"].',
    example: ['upload', 'download'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true })
  guestPermissions?: Permission[];

  @ApiPropertyOptional({
    description: 'New devices wait for the owner to approve them. Default false.',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  requireApproval?: boolean;

  @ApiPropertyOptional({
    type: SessionLimitsDto,
    description: 'Each limit defaults to (and may not exceed) the server maximum.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SessionLimitsDto)
  limits?: SessionLimitsDto;
}
