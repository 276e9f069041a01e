export * from './money';
export * from './calendar';
export * from './catalog';
export * from './markup';
export * from './organization';
export * from './usage-event';
export * from './generation-record';
export * from './daily-usage';
