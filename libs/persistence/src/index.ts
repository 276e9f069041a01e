export * from './database';
export * from './migrations';
export * from './organizations';
export * from './usage-projection';
export * from './pricing';
export * from './exchange-rates';
export * from './ingest-tokens';
export * from './usage-queries';
