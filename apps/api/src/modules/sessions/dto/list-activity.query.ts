import { QueryInt, PageLimitField } from './query-fields.js';

// Up to Number.MAX_SAFE_INTEGER's 15 digits, so the number is exact.
const SEQ_MAX = 999_999_999_999_999;

export class ListActivityQuery {
  @QueryInt({
    min: 0,
    max: SEQ_MAX,
    default: 0,
    description: 'Only events with a larger sequence number (the last `seq` seen).',
    example: 0,
  })
  after?: number;

  @QueryInt({
    min: 0,
    max: SEQ_MAX,
    description: 'Alias of `after`: the `nextCursor` of the previous page. Not with `after`.',
    example: 20,
  })
  cursor?: number;

  @PageLimitField()
  limit?: number;
}
