import type { ListMultipartUploadsCommandOutput } from '@aws-sdk/client-s3';
import type { UploadListing } from '../storage.types.js';

/**
 * One ListMultipartUploads page as an UploadListing. `previous`: the markers this page was
 * asked from; a truncated page that does not move past them is a broken server, and paging on
 * would loop forever.
 */
export function toUploadListing(
  out: Pick<
    ListMultipartUploadsCommandOutput,
    'Uploads' | 'IsTruncated' | 'NextKeyMarker' | 'NextUploadIdMarker'
  >,
  previous?: UploadListing['next'],
): UploadListing {
  const uploads = (out.Uploads ?? []).flatMap((u) =>
    u.Key === undefined || u.UploadId === undefined
      ? []
      : [
          {
            key: u.Key,
            uploadId: u.UploadId,
            // S3 always dates an upload; without a date it counts as just begun, so that no
            // age-based cleanup takes it for an old one.
            initiated: u.Initiated ?? new Date(),
          },
        ],
  );
  if (out.IsTruncated !== true) return { uploads };
  const next = { keyMarker: out.NextKeyMarker ?? '', uploadIdMarker: out.NextUploadIdMarker ?? '' };
  const stuck =
    next.keyMarker === '' ||
    (next.keyMarker === previous?.keyMarker && next.uploadIdMarker === previous.uploadIdMarker);
  if (stuck) {
    throw new Error(
      `ListMultipartUploads pagination did not advance past ${JSON.stringify(previous ?? {})}`,
    );
  }
  return { uploads, next };
}
