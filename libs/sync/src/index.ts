export * from './policy-snapshot.builder';
export * from './snapshot-file';
export * from './sync-client';
export * from './wire-policy';
export * from './ws-dialer';
export * from './usage-spool';
export * from './build-version';
export * from './coalesced';
