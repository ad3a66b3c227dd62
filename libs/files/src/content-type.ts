// Declared content types: one bare media type, checked against the operator's allow and block
// lists (CONTENT_TYPES_ALLOWED / CONTENT_TYPES_BLOCKED).

// RFC 6838 §4.2 restricted-name: a letter or digit, then up to 126 of these.
const NAME = '[a-z0-9][a-z0-9!#$&^_.+-]{0,126}';
const MEDIA_TYPE = new RegExp(`^${NAME}/${NAME}$`);
const MEDIA_RANGE = new RegExp(`^${NAME}/(?:\\*|${NAME})$`);

/**
 * `type/subtype` lower-cased, or `null` for anything else: parameters (`; charset=utf-8`),
 * surrounding spaces, wildcards, empty parts or characters outside RFC 6838's restricted names.
 */
export function parseContentType(raw: string): string | null {
  const type = raw.toLowerCase();
  return MEDIA_TYPE.test(type) ? type : null;
}

/**
 * Which declared types may be uploaded. Entries are exact types or `type/*`; blocked wins over
 * allowed; an empty allow list allows every type that is not blocked.
 */
export class ContentTypePolicy {
  private readonly allowed: readonly string[];
  private readonly blocked: readonly string[];

  constructor(allowed: readonly string[], blocked: readonly string[]) {
    this.allowed = allowed.map(toRange);
    this.blocked = blocked.map(toRange);
  }

  /** Whether a file of this type may be declared (false for anything that is not a bare type). */
  allows(type: string): boolean {
    const parsed = parseContentType(type);
    if (parsed === null || this.blocks(parsed)) return false;
    return this.allowed.length === 0 || matchesAny(this.allowed, parsed);
  }

  /** Whether the block list names this type (exactly or by its `type/*`). */
  blocks(type: string): boolean {
    const parsed = parseContentType(type);
    return parsed !== null && matchesAny(this.blocked, parsed);
  }
}

function toRange(entry: string): string {
  const range = entry.trim().toLowerCase();
  if (!MEDIA_RANGE.test(range)) {
    throw new RangeError(`not a media type or type/* range: ${JSON.stringify(entry)}`);
  }
  return range;
}

function matchesAny(ranges: readonly string[], type: string): boolean {
  const wildcard = `${type.slice(0, type.indexOf('/'))}/*`;
  return ranges.some((range) => range === type || range === wildcard);
}
