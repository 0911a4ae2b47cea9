export * from './policy-index';
