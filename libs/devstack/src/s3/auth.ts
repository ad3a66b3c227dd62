// SigV4 request authentication as S3 applies it: which errors, in which order, for the
// Authorization header and for presigned query strings.
import { S3Error } from './errors.js';
import {
  ALGORITHM,
  STREAMING_PAYLOADS,
  UNSIGNED_PAYLOAD,
  canonicalRequest,
  headerMap,
  hmac,
  parseAmzDate,
  signaturesEqual,
  signingKey,
  stringToSign,
  type AuthResult,
  type Credentials,
  type SignableRequest,
} from './sigv4.js';

const MAX_EXPIRES = 604800;
const MAX_SKEW_MS = 15 * 60 * 1000;

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

function parseCredential(value: string): Scope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, date, region, service, terminator };
}

function fromHttpDate(value: string | undefined): string | undefined {
  const ms = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

export interface VerifyOptions {
  credentials: readonly Credentials[];
  region: string;
  now?: number;
}

/** Verifies a request's SigV4 signature; throws the S3Error S3 would answer with. */
export function verifyRequest(req: SignableRequest, options: VerifyOptions): AuthResult {
  const headers = headerMap(req.rawHeaders);
  const authorization = headers.get('authorization')?.[0];
  const presigned = req.query.some(
    ([k]) => k === 'X-Amz-Signature' || k === 'X-Amz-Algorithm' || k === 'X-Amz-Credential',
  );
  if (authorization !== undefined && presigned) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) return verifyHeader(req, headers, authorization, options);
  if (presigned) return verifyPresigned(req, headers, options);
  if (req.query.some(([k]) => k === 'Signature' || k === 'AWSAccessKeyId')) {
    throw new S3Error(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  throw new S3Error('AccessDenied', 'Access Denied');
}

function checkScope(
  scope: Scope,
  amzDate: string,
  token: string | undefined,
  options: VerifyOptions,
  code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
): Credentials {
  if (
    scope.terminator !== 'aws4_request' ||
    scope.service !== 's3' ||
    !/^\d{8}$/.test(scope.date)
  ) {
    throw new S3Error(
      code,
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  if (scope.region !== options.region) {
    throw new S3Error(
      code,
      `The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${options.region}'`,
      { Region: options.region },
    );
  }
  if (!amzDate.startsWith(scope.date)) {
    throw new S3Error(
      code,
      `Invalid credential date "${scope.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  const creds = options.credentials.find((c) => c.accessKeyId === scope.accessKeyId);
  if (!creds)
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: scope.accessKeyId });
  checkToken(creds, token, options.now ?? Date.now());
  return creds;
}

// The session token (X-Amz-Security-Token, a header or a signed query parameter) as S3 checks
// it: temporary keys do not exist without theirs, a token that is not theirs (or comes with
// long-term keys) is invalid, and one past its expiration has expired, whatever the signature.
function checkToken(creds: Credentials, token: string | undefined, now: number): void {
  if (creds.sessionToken === undefined) {
    if (token !== undefined) throw new S3Error('InvalidToken', undefined, { 'Token-0': token });
    return;
  }
  if (token === undefined) {
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: creds.accessKeyId });
  }
  if (!signaturesEqual(token, creds.sessionToken)) {
    throw new S3Error('InvalidToken', undefined, { 'Token-0': token });
  }
  if (creds.expiresAt !== undefined && now >= creds.expiresAt) {
    throw new S3Error('ExpiredToken', undefined, { 'Token-0': token });
  }
}

function checkSignedHeaders(signed: readonly string[], headers: Map<string, string[]>): void {
  if (!signed.includes('host')) {
    throw new S3Error('AccessDenied', 'The host header must be signed.');
  }
  const unsigned = [...headers.keys()].filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
  if (unsigned.length > 0) {
    throw new S3Error(
      'AccessDenied',
      'There were headers present in the request which were not signed',
      { HeadersNotSigned: unsigned.join(', ') },
    );
  }
}

function finish(
  req: SignableRequest,
  query: ReadonlyArray<readonly [string, string]>,
  signed: readonly string[],
  payloadHash: string,
  amzDate: string,
  scope: Scope,
  creds: Credentials,
  signature: string,
  presigned: boolean,
): AuthResult {
  const canonical = canonicalRequest(req, query, signed, payloadHash);
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const key = signingKey(creds.secretAccessKey, scope.date, scope.region, scope.service);
  const expected = hmac(key, stringToSign(amzDate, scopeText, canonical)).toString('hex');
  if (!signaturesEqual(expected, signature.toLowerCase())) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: creds.accessKeyId,
      StringToSign: stringToSign(amzDate, scopeText, canonical),
      CanonicalRequest: canonical,
    });
  }
  return {
    accessKeyId: creds.accessKeyId,
    presigned,
    signedHeaders: new Set(signed),
    payloadHash,
    amzDate,
    scope: scopeText,
    signature: expected,
    signingKey: key,
  };
}

function verifyHeader(
  req: SignableRequest,
  headers: Map<string, string[]>,
  authorization: string,
  options: VerifyOptions,
): AuthResult {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    // SigV2 (`AWS key:sig`) and SigV4A (`AWS4-ECDSA-P256-SHA256`) are other mechanisms.
    if (/^AWS(4-ECDSA-P256-SHA256)? /.test(authorization)) {
      throw new S3Error(
        'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );
    }
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedText = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const scope = credential === undefined ? undefined : parseCredential(credential);
  if (!scope || !signedText || !signature || !/^[0-9a-fA-F]{64}$/.test(signature)) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    );
  }
  // Without x-amz-date, SigV4 takes the time from a (signed) Date header.
  const amzDate = headers.get('x-amz-date')?.[0] ?? fromHttpDate(headers.get('date')?.[0]);
  if (amzDate === undefined || Number.isNaN(parseAmzDate(amzDate))) {
    throw new S3Error(
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  const token = headers.get('x-amz-security-token')?.[0];
  const creds = checkScope(scope, amzDate, token, options, 'AuthorizationHeaderMalformed');
  const now = options.now ?? Date.now();
  const skew = Math.abs(parseAmzDate(amzDate) - now);
  if (skew > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: amzDate,
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  const payloadHash = headers.get('x-amz-content-sha256')?.[0];
  if (payloadHash === undefined) {
    throw new S3Error(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (
    payloadHash !== UNSIGNED_PAYLOAD &&
    !STREAMING_PAYLOADS.has(payloadHash) &&
    !/^[0-9a-f]{64}$/.test(payloadHash)
  ) {
    throw new S3Error(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    );
  }
  const signed = signedText.split(';').map((h) => h.toLowerCase());
  checkSignedHeaders(signed, headers);
  return finish(req, req.query, signed, payloadHash, amzDate, scope, creds, signature, false);
}

function verifyPresigned(
  req: SignableRequest,
  headers: Map<string, string[]>,
  options: VerifyOptions,
): AuthResult {
  const q = new Map(req.query);
  const algorithm = q.get('X-Amz-Algorithm');
  const credential = q.get('X-Amz-Credential');
  const amzDate = q.get('X-Amz-Date');
  const expires = q.get('X-Amz-Expires');
  const signedText = q.get('X-Amz-SignedHeaders');
  const signature = q.get('X-Amz-Signature');
  if (
    algorithm === undefined ||
    credential === undefined ||
    amzDate === undefined ||
    expires === undefined ||
    signedText === undefined ||
    signature === undefined
  ) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  const scope = parseCredential(credential);
  if (!scope) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    );
  }
  if (!/^\d+$/.test(expires)) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  }
  if (Number(expires) > MAX_EXPIRES) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  }
  const token = q.get('X-Amz-Security-Token');
  const creds = checkScope(scope, amzDate, token, options, 'AuthorizationQueryParametersError');
  const now = options.now ?? Date.now();
  if (signedAt - now > MAX_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
  if (now > signedAt + Number(expires) * 1000) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      Expires: new Date(signedAt + Number(expires) * 1000).toISOString(),
      ServerTime: new Date(now).toISOString(),
      'X-Amz-Expires': expires,
    });
  }
  const signed = signedText.split(';').map((h) => h.toLowerCase());
  checkSignedHeaders(signed, headers);
  // A hoisted X-Amz-Content-Sha256 is covered by the signature like every other parameter.
  const payloadHash = q.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  if (payloadHash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new S3Error(
      'InvalidArgument',
      'X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.',
    );
  }
  const query = req.query.filter(([k]) => k !== 'X-Amz-Signature');
  return finish(req, query, signed, payloadHash, amzDate, scope, creds, signature, true);
}
