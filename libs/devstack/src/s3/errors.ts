// S3 error codes with the HTTP status S3 answers them with. Handlers throw S3Error; the server
// renders it as S3's XML error document (no body for HEAD).
const STATUS = {
  AccessDenied: 403,
  AccessForbidden: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BadRequest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IllegalLocationConstraintException: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidToken: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchBucket: 404,
  NoSuchCORSConfiguration: 404,
  NoSuchKey: 404,
  NoSuchLifecycleConfiguration: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  RequestTimeout: 400,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof STATUS;

const DEFAULT_MESSAGE: Partial<Record<S3ErrorCode, string>> = {
  AccessDenied: 'Access Denied',
  BucketAlreadyOwnedByYou:
    'Your previous request to create the named bucket succeeded and you already own it.',
  BucketNotEmpty: 'The bucket you tried to delete is not empty',
  EntityTooSmall: 'Your proposed upload is smaller than the minimum allowed object size.',
  ExpiredToken: 'The provided token has expired.',
  IncompleteBody:
    'You did not provide the number of bytes specified by the Content-Length HTTP header',
  InternalError: 'We encountered an internal error. Please try again.',
  InvalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
  InvalidBucketName: 'The specified bucket is not valid.',
  InvalidPart:
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  InvalidPartOrder:
    'The list of parts was not in ascending order. Parts must be ordered by part number.',
  InvalidRange: 'The requested range is not satisfiable',
  InvalidToken: 'The provided token is malformed or otherwise invalid.',
  MalformedXML:
    'The XML you provided was not well-formed or did not validate against our published schema',
  MethodNotAllowed: 'The specified method is not allowed against this resource.',
  MissingContentLength: 'You must provide the Content-Length HTTP header.',
  NoSuchBucket: 'The specified bucket does not exist',
  NoSuchCORSConfiguration: 'The CORS configuration does not exist',
  NoSuchKey: 'The specified key does not exist.',
  NoSuchLifecycleConfiguration: 'The lifecycle configuration does not exist',
  NoSuchUpload:
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  NotImplemented: 'A header or query you provided implies functionality that is not implemented.',
  PreconditionFailed: 'At least one of the pre-conditions you specified did not hold',
  RequestTimeTooSkewed:
    "The difference between the request time and the server's time is too large.",
  SignatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  XAmzContentSHA256Mismatch:
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
};

export class S3Error extends Error {
  readonly status: number;
  constructor(
    readonly code: S3ErrorCode,
    message?: string,
    // Extra elements S3 adds to some errors (e.g. <ArgumentName>, <Condition>).
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message ?? DEFAULT_MESSAGE[code] ?? code);
    this.name = 'S3Error';
    this.status = STATUS[code];
  }
}

export function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', `${what} is not implemented by the devstack S3 server.`);
}
