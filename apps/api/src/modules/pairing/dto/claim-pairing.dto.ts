import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { NameField } from '@app/common';

export const DEVICE_NAME_MAX_LENGTH = 64;
// Far above any real secret (43) or code (9 with the dash, a few more with spaces): longer input
// is refused before anything is hashed.
export const SECRET_MAX_LENGTH = 128;
const CODE_MAX_LENGTH = 32;

interface Credentials {
  secret?: unknown;
  code?: unknown;
}

const exactlyOneCredential = (object: object): boolean => {
  const { secret, code } = object as Credentials;
  return (secret === undefined) !== (code === undefined);
};

// The xor check runs on `secret` even when it is absent; the type checks pass over an absent field.
const ExactlyOneOfSecretOrCode = (): PropertyDecorator =>
  ValidateBy({
    name: 'exactlyOneOfSecretOrCode',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        args === undefined || exactlyOneCredential(args.object),
      defaultMessage: () => 'send exactly one of secret and code',
    },
  });

const OptionalText = (maxLength: number): PropertyDecorator =>
  ValidateBy({
    name: 'optionalText',
    validator: {
      validate: (value: unknown) =>
        value === undefined ||
        (typeof value === 'string' && value.length >= 1 && value.length <= maxLength),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'value'} must be a string of 1 to ${String(maxLength)} characters`,
    },
  });

export class ClaimPairingDto {
  @ApiPropertyOptional({
    description: 'The secret from the pairing URL’s fragment. Send it or `code`, not both.',
    maxLength: SECRET_MAX_LENGTH,
    example: '3q2-7wZx0dVbP9m4QkR8sT1uY6cN5aH2jL0fE7gI3oK',
  })
  @ExactlyOneOfSecretOrCode()
  @OptionalText(SECRET_MAX_LENGTH)
  secret?: string;

  @ApiPropertyOptional({
    description: 'The pairing code as typed: dashes, spaces and case do not matter.',
    maxLength: CODE_MAX_LENGTH,
    example: 'bcdf-ghjk',
  })
  @OptionalText(CODE_MAX_LENGTH)
  code?: string;

  @NameField({
    maxLength: DEVICE_NAME_MAX_LENGTH,
    optional: true,
    example: 'Ada’s phone',
    description: 'Shown to the owner; default "Device".',
  })
  deviceName?: string;
}
