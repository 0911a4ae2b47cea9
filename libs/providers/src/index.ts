export * from './ir';
export * from './sse/sse-reader';
export * from './sse/sse-writer';
export * from './upstream/upstream-client';
export * from './codecs';
