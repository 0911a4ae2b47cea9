export * from './compute-cost';
