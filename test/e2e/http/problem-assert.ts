import assert from 'node:assert/strict';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: { field: string; message: string }[];
  /** RFC 8628 polling interval (pairing polls). */
  interval?: number;
}

/** Asserts an RFC 9457 answer with our fields and the response's own request id. */
export async function expectProblem(
  res: Response,
  status: number,
  code: string,
): Promise<ProblemBody> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = JSON.parse(text) as ProblemBody;
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.match(body.type, /^urn:sharexpress:problem:/);
  const requestId = res.headers.get('x-request-id');
  assert.ok(requestId, 'x-request-id header');
  assert.equal(body.requestId, requestId);
  return body;
}
