#!/bin/sh
# docker-compose.yml's one-shot MinIO setup. Every step is idempotent: it runs on every `up`.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null

# The bucket: the production entry points never create it.
mc mb --ignore-existing "local/$S3_BUCKET"

# The apps' own credentials, limited to that bucket, instead of the root user's. The actions are
# exactly those the API and the worker call: objects and multipart uploads, listing, and the
# bucket lifecycle rule the worker reads and puts at startup.
cat > /tmp/sharexpress-app.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration"
      ],
      "Resource": ["arn:aws:s3:::$S3_BUCKET"]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts"
      ],
      "Resource": ["arn:aws:s3:::$S3_BUCKET/*"]
    }
  ]
}
JSON
mc admin policy create local sharexpress-app /tmp/sharexpress-app.json
# Adding an existing user sets its secret key: a changed S3_APP_SECRET_KEY takes effect here.
mc admin user add local "$S3_APP_ACCESS_KEY" "$S3_APP_SECRET_KEY"
# Attaching a policy that is already attached is an error, so look first.
if ! mc admin user info local "$S3_APP_ACCESS_KEY" | grep -q 'sharexpress-app'; then
  mc admin policy attach local sharexpress-app --user "$S3_APP_ACCESS_KEY"
fi

# CORS and incomplete uploads are server settings on MinIO's community edition, set on the minio
# service (MINIO_API_CORS_ALLOW_ORIGIN, MINIO_API_STALE_UPLOADS_EXPIRY): it has no per-bucket
# CORS, and its lifecycle rules have no AbortIncompleteMultipartUpload action.
echo "minio-init: bucket $S3_BUCKET and user $S3_APP_ACCESS_KEY ready"
