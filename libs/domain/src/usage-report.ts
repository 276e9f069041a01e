// The dashboard's reports (contract §5), pure: which period, the per-model breakdown, the drill-down and the
// monthly summary. The gateway feeds them rows from the daily table, the catalog, the rate and the viewer's role.
export * from './usage-report-period';
export * from './usage-report-breakdown';
export * from './usage-report-summary';
