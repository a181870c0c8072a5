// sql.begin() that survives losing the connection mid-transaction.
//
// postgres.js 3.4.9 answers a failed transaction callback with ROLLBACK on the same
// connection. When the server has already closed it (terminated backend, restart,
// network cut), that write runs from a setImmediate on a null socket and throws an
// uncaught TypeError that takes the whole process down (porsager/postgres#1154, #1208;
// fixes proposed in #1168, #1176, #1209, none released). So when a statement fails because
// the connection is gone, the callback never settles, postgres.js writes nothing more on
// that connection, and the transaction is rejected from here. The server rolls back an
// interrupted transaction by itself.
import type postgres from 'postgres';
import { isConnectionLoss } from './errors.js';

/** Runs `work` in a transaction; rejects with the original error when the connection is lost. */
export function transaction<T>(sql: postgres.Sql, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  let lost!: (error: unknown) => void;
  const connectionLost = new Promise<never>((_, reject) => (lost = reject));
  const run = sql.begin(async (tx) => {
    try {
      return await work(tx);
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      lost(error);
      return new Promise<T>(() => undefined);
    }
  }) as Promise<T>;
  // postgres.js rejects `run` too once it sees the close; the first rejection wins.
  run.catch(() => undefined);
  return Promise.race([run, connectionLost]);
}
