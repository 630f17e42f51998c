import { createSqlOrdersRepository } from '../src/adapters/sql/orders-repository.js';
import { ordersRepositoryContract } from './contracts/orders-repository.js';
import { describeEachDriver } from './support/sql-drivers.js';

describeEachDriver('OrdersRepository contract (sql)', (getDb, driver) => {
  ordersRepositoryContract(`SQL orders repository on ${driver}`, async (clock) => {
    const db = getDb();
    await db.query('DELETE FROM orders');
    return {
      repository: createSqlOrdersRepository(db, clock),
      storedCount: async () =>
        Number((await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM orders')).rows[0]!.n),
    };
  });
});
