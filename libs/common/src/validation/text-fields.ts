import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, isEmail, ValidateBy, type ValidationArguments } from 'class-validator';
import {
  DISPLAY_NAME_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  emailProblem,
  nameProblem,
  normalizeEmail,
  normalizeName,
} from './text.js';

type Problem = (value: unknown) => string | undefined;

// One class-validator constraint per field family: the message says what is wrong, never the
// value (it may be a password typed into the wrong field).
const satisfies = (name: string, problem: Problem): PropertyDecorator =>
  ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => problem(value) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'value'} ${problem(args?.value) ?? 'is invalid'}`,
    },
  });

// A non-string (e.g. `{ "$gt": "" }`) reaches the validator unchanged and is refused there.
const stringsOnly =
  (normalize: (value: string) => string) =>
  ({ value }: { value: unknown }): unknown =>
    typeof value === 'string' ? normalize(value) : value;

const emailSyntax = (email: string): boolean => isEmail(email);

/**
 * An email address, as register and login (and anything else naming an account) take it:
 * normalized with NFKC, trimmed and lower-cased (so `ＡＤＡ＠example.com` is `ada@example.com`),
 * then refused if it holds a lone surrogate, a space, a control, zero-width or bidi character,
 * is longer than 254 characters or is not an address. The stored and compared form is exactly
 * what this produces; services use `normalizeEmail` for the same result.
 */
export const EmailField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      example: 'ada@example.com',
      maxLength: EMAIL_MAX_LENGTH,
      description: 'Normalized (NFKC, trimmed, lower-cased) before it is stored or compared.',
    }),
    Transform(stringsOnly(normalizeEmail)),
    satisfies('safeEmail', (value) => emailProblem(value, emailSyntax)),
  );

export interface NameFieldOptions {
  /** Longest accepted value in code points, after normalization. */
  maxLength: number;
  /** Field may be absent (or null); default false. */
  optional?: boolean;
  example?: string;
  description?: string;
}

/**
 * A name a person typed and others will see (session, device or file names): NFC-normalized and
 * trimmed, 1 to `maxLength` code points, with no control characters (NUL, BEL, ESC, CR/LF, tab …),
 * no zero-width, bidi embedding, override or isolate characters and no lone surrogates. A ZWJ
 * inside an emoji sequence (👩‍👩‍👧) is kept.
 */
export const NameField = (options: NameFieldOptions): PropertyDecorator => {
  const doc = {
    type: String,
    minLength: 1,
    maxLength: options.maxLength,
    example: options.example,
    description:
      options.description ??
      `NFC-normalized and trimmed; 1–${String(options.maxLength)} characters without control, zero-width or bidi formatting characters.`,
  };
  return applyDecorators(
    ...(options.optional === true ? [ApiPropertyOptional(doc), IsOptional()] : [ApiProperty(doc)]),
    Transform(stringsOnly(normalizeName)),
    satisfies('safeName', (value) => nameProblem(value, options.maxLength)),
  );
};

/** The optional `displayName` of an account: a NameField of at most 100 characters. */
export const DisplayNameField = (): PropertyDecorator =>
  NameField({ maxLength: DISPLAY_NAME_MAX_LENGTH, optional: true, example: 'Ada' });
