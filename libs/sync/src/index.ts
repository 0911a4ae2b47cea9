export * from './policy-snapshot.builder';
