// A connection that drops while a client is checked out (Postgres restarting, a terminated backend) must fail
// that client's queries, not the process.
import { createPool } from './database';
import { testServiceUrls } from '../../testing/src/services';

describe('createPool', () => {
  it('survives the connection of a checked-out client dropping between queries', async () => {
    const pool = createPool(testServiceUrls().databaseUrl, { max: 2, application_name: 'drop-test' });
    const admin = createPool(testServiceUrls().databaseUrl, { max: 1, application_name: 'drop-test-admin' });
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await client.query('BEGIN');
      const ended = new Promise((resolve) => client.once('end', resolve));
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await ended; // without a listener, the client's 'error' event would have been an uncaught exception by now
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
      await admin.end();
    }
  }, 10_000);
});
