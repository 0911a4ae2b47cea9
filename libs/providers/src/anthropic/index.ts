export * from './anthropic-api';
export * from './anthropic.codec';
export { DEFAULT_MAX_TOKENS } from './encode-anthropic-request';
