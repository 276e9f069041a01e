export * from './connection';
export * from './usage-stream';
export * from './usage-publisher';
export * from './coalescing-publisher';
export * from './batch-consumer';
export * from './pricing-protocol';
