import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { DisplayNameField, EmailField } from '@app/common';

export class RegisterUserDto {
  @EmailField()
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery staple' })
  @IsString()
  @Length(8, 128)
  password!: string;

  @DisplayNameField()
  displayName?: string;
}
