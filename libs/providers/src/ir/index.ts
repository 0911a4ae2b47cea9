export * from './chat-request';
export * from './chat-response';
export * from './gateway-error';
export * from './protocol-codec';
export * from './stream-event';
