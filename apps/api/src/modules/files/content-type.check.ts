import { Injectable } from '@nestjs/common';
import { ContentTypePolicy, parseContentType } from '@app/files';
import { unsupportedType } from './files.errors.js';

/** The declared content type, as stored: a bare lower-case `type/subtype` the policy allows. */
@Injectable()
export class ContentTypeCheck {
  constructor(private readonly policy: ContentTypePolicy) {}

  /** The normalized type; 415 UNSUPPORTED_MEDIA_TYPE otherwise. */
  check(raw: string): string {
    const type = parseContentType(raw);
    if (type === null) {
      throw unsupportedType(
        'contentType must be a bare type/subtype such as image/png, without parameters',
      );
    }
    if (!this.policy.allows(type)) {
      throw unsupportedType(`Files of type ${type} are not accepted here`);
    }
    return type;
  }
}
