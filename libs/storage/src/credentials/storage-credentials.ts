/** AWS credentials, in the shape the SDK's credential providers return. */
export interface StorageCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present on temporary credentials (STS, IAM roles); signed into every request and URL. */
  readonly sessionToken?: string;
  /** When temporary credentials stop working; absent for long-term keys. */
  readonly expiration?: Date;
}

/** Where credentials come from: an SDK `AwsCredentialIdentityProvider`, or a fake in tests. */
export type CredentialSource = (options?: {
  forceRefresh?: boolean;
}) => Promise<StorageCredentials>;

/**
 * The credentials the S3 client and the presigner share, so a server-side call and a presigned
 * URL issued at the same moment are signed with the same keys.
 */
export interface SigningCredentials {
  /** For the S3 client: usable credentials, refreshed first when the held ones are not. */
  readonly provide: CredentialSource;
  /**
   * For the presigner, which is synchronous: the held credentials when they stay valid for the
   * minimum a URL needs; otherwise undefined, and a refresh is under way.
   */
  current(): StorageCredentials | undefined;
  /** How long a caller refused by `current()` should wait before trying again (≥ 1 s). */
  retryAfterSeconds(): number;
  /** Stops background refreshes. */
  close(): void;
}

/** Long-term keys, or temporary ones an operator supplies and renews (no refresh possible). */
export function staticCredentials(credentials: StorageCredentials): SigningCredentials {
  const held: StorageCredentials = { ...credentials };
  return {
    provide: () => Promise.resolve(held),
    current: () => held,
    retryAfterSeconds: () => 1,
    close: () => undefined,
  };
}
