import { createSqlLoaderRepository } from '../../adapters/sql/loader-repository.js';
import type { ServicesFor } from '../../api/services.js';
import type { LoaderRepository } from '../../ports/loader-repository.js';
import { apiHandler } from '../api.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger, once } from '../lambda.js';
import { loaderDatabase } from '../rds.js';

/**
 * `reports-api`: the loader's reports and posted dataset rows over RDS PostgreSQL. The database
 * is opened (and migrated) at the first request that needs it, inside the app, so a database
 * that cannot be reached is the app's JSON 500 (logged), and the next request tries again.
 */
const env = lambdaEnv(['DB_SECRET_ARN', 'LOADER_RULES']);
const repository = once(async () => createSqlLoaderRepository(await loaderDatabase(env.DB_SECRET_ARN)));

const loader: Pick<
  LoaderRepository,
  'hiresByQuarter' | 'departmentsAboveMean' | 'insertRows' | 'listFiles' | 'listRejected'
> = {
  hiresByQuarter: async (year) => (await repository()).hiresByQuarter(year),
  departmentsAboveMean: async (year) => (await repository()).departmentsAboveMean(year),
  insertRows: async (rule, rows, now) => (await repository()).insertRows(rule, rows, now),
  listFiles: async (filter) => (await repository()).listFiles(filter),
  listRejected: async (filter) => (await repository()).listRejected(filter),
};

const services: ServicesFor<'reports' | 'datasets'> = {
  loader,
  loaderRules: env.LOADER_RULES,
  clock: systemClock,
};

export const handler = apiHandler(functionLogger('reports-api'), services, ['reports', 'datasets']);
