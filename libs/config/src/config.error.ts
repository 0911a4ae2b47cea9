/** A configuration problem; its message is one line that names the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
