export * from './policy-index';
export * from './candidate-order';
export * from './circuit-breaker';
export * from './retry-budget';
export * from './channel-limiter';
export * from './latency-tracker';
export * from './affinity-table';
