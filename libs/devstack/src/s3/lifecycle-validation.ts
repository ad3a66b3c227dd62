// PutBucketLifecycleConfiguration's checks, with the errors S3 answers: a configuration S3 would
// refuse must not be stored here, or a product bug would only show on real S3.
import { S3Error } from './errors.js';
import { children, text, type ParsedXml } from './xml.js';

const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;
const RULE_ELEMENTS = new Set([
  'ID',
  'Prefix',
  'Filter',
  'Status',
  'Expiration',
  'Transition',
  'NoncurrentVersionTransition',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
]);
const ACTIONS = [
  'Expiration',
  'Transition',
  'NoncurrentVersionTransition',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
];
const FILTER_CHOICES = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'];

function element(parent: ParsedXml | undefined, name: string): ParsedXml | undefined {
  const v = parent?.[name];
  if (v === undefined || v === '') return v === '' ? {} : undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return v;
  throw new S3Error('MalformedXML');
}

function positiveDays(value: string | undefined, field: string, action: string): void {
  if (value !== undefined && !/^0*[1-9]\d*$/.test(value)) {
    throw new S3Error(
      'InvalidArgument',
      `'${field}' for ${action} action must be a positive integer`,
    );
  }
}

function validateFilter(rule: ParsedXml): { tagged: boolean } {
  const hasFilter = rule.Filter !== undefined;
  if (hasFilter === (rule.Prefix !== undefined)) throw new S3Error('MalformedXML');
  text(rule, 'Prefix');
  const filter = element(rule, 'Filter');
  if (filter === undefined) return { tagged: false };
  // A filter holds exactly one condition; several go inside And. An empty one is the bucket.
  if (FILTER_CHOICES.filter((c) => filter[c] !== undefined).length > 1) {
    throw new S3Error('MalformedXML');
  }
  const and = element(filter, 'And');
  return { tagged: filter.Tag !== undefined || and?.Tag !== undefined };
}

function validateRule(rule: ParsedXml, ids: Set<string>): void {
  for (const name of Object.keys(rule)) {
    if (!RULE_ELEMENTS.has(name)) throw new S3Error('MalformedXML');
  }
  const status = text(rule, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw new S3Error('MalformedXML');
  const id = text(rule, 'ID');
  if (id !== undefined) {
    if (id.length > MAX_ID_LENGTH) {
      throw new S3Error('InvalidArgument', 'ID length should not exceed allowed limit of 255');
    }
    if (ids.has(id)) {
      throw new S3Error(
        'InvalidArgument',
        'Rule ID must be unique. Found same ID for more than one rule',
      );
    }
    ids.add(id);
  }
  const { tagged } = validateFilter(rule);
  if (!ACTIONS.some((a) => rule[a] !== undefined)) {
    throw new S3Error('InvalidRequest', 'At least one action needs to be specified in a rule');
  }
  const expiration = element(rule, 'Expiration');
  positiveDays(text(expiration, 'Days'), 'Days', 'Expiration');
  const date = text(expiration, 'Date');
  if (date !== undefined) {
    const at = Date.parse(date);
    if (Number.isNaN(at) || at % 86_400_000 !== 0) {
      throw new S3Error('InvalidArgument', "'Date' must be at midnight GMT");
    }
  }
  const abort = element(rule, 'AbortIncompleteMultipartUpload');
  if (abort !== undefined) {
    const days = text(abort, 'DaysAfterInitiation');
    if (days === undefined) throw new S3Error('MalformedXML');
    positiveDays(days, 'DaysAfterInitiation', 'AbortIncompleteMultipartUpload');
    if (tagged) {
      throw new S3Error(
        'InvalidRequest',
        'AbortIncompleteMultipartUpload cannot be specified with Tags.',
      );
    }
  }
}

/** Throws S3's error for a lifecycle configuration S3 would refuse. */
export function validateLifecycleConfiguration(doc: ParsedXml): void {
  for (const name of Object.keys(doc)) {
    if (name !== 'Rule') throw new S3Error('MalformedXML');
  }
  const rules = children(doc, 'Rule');
  if (rules.length === 0 || rules.length > MAX_RULES) throw new S3Error('MalformedXML');
  const ids = new Set<string>();
  for (const rule of rules) validateRule(rule, ids);
}
