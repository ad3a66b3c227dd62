import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The opaque refresh token from login or the previous refresh.' })
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}
