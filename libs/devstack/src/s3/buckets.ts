// Bucket operations: Create/Head/Delete/ListBuckets, CORS and lifecycle configuration.
import { receiveToBuffer, receiveVerifiedXml } from './body.js';
import { header, isoDate, requireBucket, sendEmpty, sendXml, type S3Context } from './context.js';
import { parseCorsConfiguration, renderCorsConfiguration } from './cors.js';
import { S3Error, notImplemented } from './errors.js';
import { validateLifecycleConfiguration } from './lifecycle-validation.js';
import { S3_NAMESPACE, escapeXml, parseXml, text } from './xml.js';

const OWNER = { ID: 'devstack', DisplayName: 'devstack' };
// S3 reports the default minimum object size for transitions on both lifecycle calls.
const MIN_TRANSITION_SIZE_HEADER = 'x-amz-transition-default-minimum-object-size';
const DEFAULT_MIN_TRANSITION_SIZE = 'all_storage_classes_128K';

/** S3's bucket naming rules (the subset that matters for path-style access). */
export function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias')
  );
}

export function listBuckets(ctx: S3Context): void {
  sendXml(ctx, 200, 'ListAllMyBucketsResult', {
    Owner: OWNER,
    Buckets: {
      Bucket: ctx.store
        .listBuckets()
        .map((b) => ({ Name: b.name, CreationDate: isoDate(b.created), BucketRegion: ctx.region })),
    },
  });
}

export async function createBucket(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  if (!validBucketName(bucket))
    throw new S3Error('InvalidBucketName', undefined, { BucketName: bucket });
  if (ctx.headers.has('x-amz-bucket-object-lock-enabled')) throw notImplemented('Object lock');
  const acl = header(ctx, 'x-amz-acl');
  if (acl !== undefined && acl !== 'private') throw notImplemented(`The canned ACL ${acl}`);
  const { body } = await receiveToBuffer(ctx, { maxSize: 64 * 1024 });
  if (body.length > 0) {
    // Only a location constraint naming our own region is meaningful.
    const doc = parseXml(body.toString('utf8'), 'CreateBucketConfiguration');
    const location = text(doc, 'LocationConstraint');
    if (location !== undefined && location !== '' && location !== ctx.region) {
      throw new S3Error(
        'IllegalLocationConstraintException',
        `The ${location} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
  }
  await ctx.store.createBucket(bucket);
  sendEmpty(ctx, 200, { location: `/${bucket}` });
}

export function headBucket(ctx: S3Context): void {
  ctx.store.bucket(requireBucket(ctx));
  sendEmpty(ctx, 200, { 'x-amz-bucket-region': ctx.region });
}

export function getBucketLocation(ctx: S3Context): void {
  ctx.store.bucket(requireBucket(ctx));
  // us-east-1 is reported as an empty constraint, as S3 does.
  const value = ctx.region === 'us-east-1' ? '' : escapeXml(ctx.region);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">${value}</LocationConstraint>`;
  ctx.res.writeHead(200, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
  });
  ctx.res.end(xml);
}

export async function deleteBucket(ctx: S3Context): Promise<void> {
  await ctx.store.deleteBucket(requireBucket(ctx));
  sendEmpty(ctx, 204);
}

export async function putBucketCors(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const rules = parseCorsConfiguration(await receiveVerifiedXml(ctx));
  await ctx.store.updateBucket(bucket, { cors: rules });
  sendEmpty(ctx, 200);
}

export function getBucketCors(ctx: S3Context): void {
  const record = ctx.store.bucket(requireBucket(ctx));
  if (!record.cors)
    throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: record.name });
  sendXml(ctx, 200, 'CORSConfiguration', renderCorsConfiguration(record.cors));
}

export async function deleteBucketCors(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  await ctx.store.updateBucket(bucket, { cors: undefined });
  sendEmpty(ctx, 204);
}

export async function putBucketLifecycle(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const minSize = header(ctx, MIN_TRANSITION_SIZE_HEADER);
  if (minSize === 'varies_by_storage_class') {
    throw notImplemented('A transition minimum object size that varies by storage class');
  }
  if (minSize !== undefined && minSize !== DEFAULT_MIN_TRANSITION_SIZE) {
    throw new S3Error('InvalidArgument', 'Invalid TransitionDefaultMinimumObjectSize', {
      ArgumentName: MIN_TRANSITION_SIZE_HEADER,
      ArgumentValue: minSize,
    });
  }
  const xml = await receiveVerifiedXml(ctx);
  validateLifecycleConfiguration(parseXml(xml, 'LifecycleConfiguration'));
  await ctx.store.updateBucket(bucket, { lifecycle: xml });
  sendEmpty(ctx, 200, { [MIN_TRANSITION_SIZE_HEADER]: DEFAULT_MIN_TRANSITION_SIZE });
}

export function getBucketLifecycle(ctx: S3Context): void {
  const record = ctx.store.bucket(requireBucket(ctx));
  if (record.lifecycle === undefined) {
    throw new S3Error('NoSuchLifecycleConfiguration', undefined, { BucketName: record.name });
  }
  // Stored as sent: the rules come back exactly as the client wrote them.
  ctx.res.writeHead(200, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(record.lifecycle),
    [MIN_TRANSITION_SIZE_HEADER]: DEFAULT_MIN_TRANSITION_SIZE,
  });
  ctx.res.end(record.lifecycle);
}

export async function deleteBucketLifecycle(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  await ctx.store.updateBucket(bucket, { lifecycle: undefined });
  sendEmpty(ctx, 204);
}
