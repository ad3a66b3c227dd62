/**
 * Thrown by `loadConfig` when the environment is invalid. `problems` holds one line per
 * variable (`PORT: must be an integer between 1 and 65535, got "abc"`); secrets are never echoed.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
