import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { unsupportedType } from './files.errors.js';
import { ContentTypePolicy, parseContentType } from './policy/content-type.js';

/** The declared content type, as stored: a bare lower-case `type/subtype` the policy allows. */
@Injectable()
export class ContentTypeCheck {
  private readonly policy: ContentTypePolicy;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.policy = new ContentTypePolicy(
      config.files.contentTypesAllowed,
      config.files.contentTypesBlocked,
    );
  }

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
