export * from './logging';
export * from './retry';
export * from './infrastructure';
export * from './health';
export * from './platform.module';
export * from './bootstrap';
export * from './pricing-client';
export * from './expiring-lru';
