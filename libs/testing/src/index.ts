export * from './services';
export * from './test-environment';
export * from './service-process';
export * from './webhook-sender';
export * from './wait';
export * from './pipeline';
export * from './fake-nbp';
