import { createSqlStatementsRepository } from '../src/adapters/sql/statements-repository.js';
import { statementsRepositoryContract } from './contracts/statements-repository.js';
import { describeEachDriver } from './support/sql-drivers.js';

describeEachDriver('StatementsRepository contract (sql)', (getDb, driver) => {
  statementsRepositoryContract(`SQL statements repository on ${driver}`, () => ({
    repository: createSqlStatementsRepository(getDb()),
  }));
});
