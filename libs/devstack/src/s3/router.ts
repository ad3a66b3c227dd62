// Maps method + path shape + query to an operation, refusing (501) subresources and query
// parameters that would change the meaning of a request we do not implement.
import { abortMultipartUpload, createMultipartUpload, listParts, uploadPart } from './multipart.js';
import { listMultipartUploads } from './multipart-list.js';
import {
  createBucket,
  deleteBucket,
  deleteBucketCors,
  deleteBucketLifecycle,
  getBucketCors,
  getBucketLifecycle,
  getBucketLocation,
  headBucket,
  listBuckets,
  putBucketCors,
  putBucketLifecycle,
} from './buckets.js';
import type { S3Context } from './context.js';
import { completeMultipartUpload } from './multipart-complete.js';
import { S3Error, notImplemented } from './errors.js';
import { deleteObjects, listObjectsV1, listObjectsV2 } from './list.js';
import { copyObject, deleteObject, getObject, putObject } from './objects.js';

export type Handler = (ctx: S3Context) => void | Promise<void>;

interface Route {
  handler: Handler;
  /** Query parameters this operation understands (besides auth and `x-id`). */
  params: readonly string[];
}

const LIST_V2 = [
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'optional-object-attributes',
];
const LIST_V1 = ['prefix', 'delimiter', 'max-keys', 'marker', 'encoding-type'];
const LIST_UPLOADS = [
  'uploads',
  'prefix',
  'delimiter',
  'key-marker',
  'upload-id-marker',
  'max-uploads',
  'encoding-type',
];
const OVERRIDES = [
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
];

// Subresources S3 has and the devstack deliberately does not implement.
const REFUSED = [
  'acl',
  'policy',
  'policyStatus',
  'versioning',
  'versions',
  'versionId',
  'website',
  'tagging',
  'logging',
  'notification',
  'replication',
  'encryption',
  'ownershipControls',
  'publicAccessBlock',
  'accelerate',
  'analytics',
  'inventory',
  'metrics',
  'intelligent-tiering',
  'object-lock',
  'legal-hold',
  'retention',
  'requestPayment',
  'restore',
  'select',
  'select-type',
  'torrent',
  'attributes',
  'metadataTable',
  'session',
  'renameObject',
];

function bucketRoute(ctx: S3Context): Route {
  const q = ctx.query;
  switch (ctx.method) {
    case 'GET':
      if (q.has('cors')) return { handler: getBucketCors, params: ['cors'] };
      if (q.has('lifecycle')) return { handler: getBucketLifecycle, params: ['lifecycle'] };
      if (q.has('location')) return { handler: getBucketLocation, params: ['location'] };
      if (q.has('uploads')) return { handler: listMultipartUploads, params: LIST_UPLOADS };
      if (q.get('list-type') === '2') return { handler: listObjectsV2, params: LIST_V2 };
      if (q.has('list-type'))
        throw new S3Error('InvalidArgument', 'Invalid List Type specified in Request', {
          ArgumentName: 'list-type',
        });
      return { handler: listObjectsV1, params: LIST_V1 };
    case 'HEAD':
      return { handler: headBucket, params: [] };
    case 'PUT':
      if (q.has('cors')) return { handler: putBucketCors, params: ['cors'] };
      if (q.has('lifecycle')) return { handler: putBucketLifecycle, params: ['lifecycle'] };
      return { handler: createBucket, params: [] };
    case 'DELETE':
      if (q.has('cors')) return { handler: deleteBucketCors, params: ['cors'] };
      if (q.has('lifecycle')) return { handler: deleteBucketLifecycle, params: ['lifecycle'] };
      return { handler: deleteBucket, params: [] };
    case 'POST':
      if (q.has('delete')) return { handler: deleteObjects, params: ['delete'] };
      throw notImplemented('POST object uploads (browser-based POST policy)');
    default:
      throw new S3Error('MethodNotAllowed', undefined, {
        Method: ctx.method,
        ResourceType: 'BUCKET',
      });
  }
}

function objectRoute(ctx: S3Context): Route {
  const q = ctx.query;
  switch (ctx.method) {
    case 'GET':
      if (q.has('uploadId'))
        return {
          handler: listParts,
          params: ['uploadId', 'max-parts', 'part-number-marker', 'encoding-type'],
        };
      return { handler: getObject, params: [...OVERRIDES, 'partNumber'] };
    case 'HEAD':
      return { handler: getObject, params: [...OVERRIDES, 'partNumber'] };
    case 'PUT':
      if (q.has('uploadId') || q.has('partNumber'))
        return { handler: uploadPart, params: ['uploadId', 'partNumber'] };
      if (ctx.headers.has('x-amz-copy-source')) return { handler: copyObject, params: [] };
      return { handler: putObject, params: [] };
    case 'DELETE':
      if (q.has('uploadId')) return { handler: abortMultipartUpload, params: ['uploadId'] };
      return { handler: deleteObject, params: [] };
    case 'POST':
      if (q.has('uploads')) return { handler: createMultipartUpload, params: ['uploads'] };
      if (q.has('uploadId')) return { handler: completeMultipartUpload, params: ['uploadId'] };
      throw notImplemented('This POST operation on an object');
    default:
      throw new S3Error('MethodNotAllowed', undefined, {
        Method: ctx.method,
        ResourceType: 'OBJECT',
      });
  }
}

/** Query parameters that never change an operation's meaning. */
function isNeutral(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'x-id' || lower.startsWith('x-amz-');
}

export function route(ctx: S3Context): Handler {
  for (const name of ctx.query.keys()) {
    if (REFUSED.includes(name)) throw notImplemented(`The ?${name} subresource`);
  }
  let found: Route;
  if (ctx.bucket === undefined) {
    if (ctx.method !== 'GET')
      throw new S3Error('MethodNotAllowed', undefined, {
        Method: ctx.method,
        ResourceType: 'SERVICE',
      });
    found = { handler: listBuckets, params: [] };
  } else {
    found = ctx.key === undefined ? bucketRoute(ctx) : objectRoute(ctx);
  }
  for (const name of ctx.query.keys()) {
    if (!isNeutral(name) && !found.params.includes(name)) {
      throw notImplemented(`The query parameter "${name}" on this operation`);
    }
  }
  return found.handler;
}
