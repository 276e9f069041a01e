// Jest global setup of the faults project: the integration tests' check for a real PostgreSQL and NATS, then a
// fresh set of table rows for this run.
import integrationSetup from '../../libs/testing/src/global-setup';
import { resetRows } from './reliability-table';

export default async function globalSetup(): Promise<void> {
  await integrationSetup();
  resetRows();
  process.env.FAULTS_STARTED_AT = new Date().toISOString();
}
