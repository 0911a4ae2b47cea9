export * from './ir';
export * from './sse/sse-reader';
export * from './sse/sse-writer';
