export * from './error-codes';
export * from './money';
export * from './pagination';
export * from './roles';
export * from './provider-types';
export * from './usage-record';
export * from './policy';
export * from './routing';
