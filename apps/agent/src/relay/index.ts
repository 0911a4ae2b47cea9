export * from './client-auth.util';
export * from './policy-store';
export * from './relay-error.util';
export * from './relay.module';
export * from './relay.service';
export * from './usage-sink';
