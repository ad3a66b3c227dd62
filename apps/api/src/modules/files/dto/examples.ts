// Example values shared by the files DTOs (OpenAPI only).
export const EXAMPLE_FILE_ID = 'Qm8vT3xK1pR6wZ9cL2nB4A';
export const EXAMPLE_SESSION_ID = 'mZ3q8V0xT2kR9bYcLw4n1A';
export const EXAMPLE_SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
export const EXAMPLE_PRESIGNED_PUT =
  'https://s3.example.com/sharexpress/sessions/mZ3q8V0xT2kR9bYcLw4n1A/files/Qm8vT3xK1pR6wZ9cL2nB4A' +
  '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA...%2F20260101%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20260101T120000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bif-none-match%3Bx-amz-checksum-sha256' +
  '&X-Amz-Signature=5d1f...&x-id=PutObject';
export const EXAMPLE_PART_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
