import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { S3Settings } from '../s3-client.factory.js';
import { RefreshingCredentials } from './refreshing-credentials.js';
import {
  staticCredentials,
  type CredentialSource,
  type SigningCredentials,
} from './storage-credentials.js';

/**
 * The SDK's default credential chain, as S3Client builds it when given no credentials:
 * AWS_* environment variables, SSO, shared config and credentials files, web identity (EKS IRSA:
 * AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), container credentials (ECS task roles, EKS Pod
 * Identity) and the EC2 instance profile. Its STS calls use the S3 region, as they would for the
 * client's own chain.
 */
export function defaultChainSource(region: string): CredentialSource {
  const chain = defaultProvider();
  const callerClientConfig = { region: () => Promise.resolve(region) };
  return (options) => chain({ forceRefresh: options?.forceRefresh, callerClientConfig });
}

/**
 * The process's storage credentials: the static keys from S3_ACCESS_KEY_ID /
 * S3_SECRET_ACCESS_KEY (and S3_SESSION_TOKEN), or, when none are set, the SDK's default chain,
 * refreshed ahead of expiration. The first fetch starts at once.
 */
export function credentialsFor(s3: Pick<S3Settings, 'credentials' | 'region'>): SigningCredentials {
  if (s3.credentials !== null) return staticCredentials(s3.credentials);
  return new RefreshingCredentials(defaultChainSource(s3.region)).start();
}
