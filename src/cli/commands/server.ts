import type { Command } from 'commander';
import { ensureAdminToken } from '../../runtime/admin-token.js';
import { loadConfig } from '../../runtime/config.js';
import { openFabric } from '../../runtime/fabric.js';
import { startLocalServer } from '../../runtime/server.js';
import { CliError } from '../backend.js';

interface GlobalOptions {
  dataDir?: string;
}

export function registerServerCommands(program: Command): void {
  program
    .command('dev')
    .description('run the local server: API, pipelines and dashboard on one data dir')
    .option('--port <port>', 'port to listen on', '4000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--no-auth', 'serve without tokens (loopback only)')
    .action(async (options: { port: string; host: string; auth: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port "${options.port}" is not a port number`);
      const config = loadConfig(process.env, program.opts<GlobalOptions>());
      const fabric = await openFabric(config);
      let server: Awaited<ReturnType<typeof startLocalServer>>;
      try {
        server = await startLocalServer(fabric, { host: options.host, port, auth: options.auth });
      } catch (error) {
        await fabric.close();
        throw error;
      }
      const stop = async () => {
        await server.close();
        await fabric.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      console.log(`Tributary is running at ${server.url}`);
      console.log(`data dir:    ${fabric.dataDir}${config.databaseUrl ? ' (state in DATABASE_URL)' : ''}`);
      console.log(`dashboard:   ${server.signInUrl ?? server.url}`);
      console.log(`admin token: ${fabric.adminToken}`);
      console.log(`try:         curl -H "Authorization: Bearer ${fabric.adminToken}" ${server.url}/accounts`);
    });

  program
    .command('token')
    .description('print the admin token of the data dir (created on first use)')
    .action(async () => {
      const config = loadConfig(process.env, program.opts<GlobalOptions>());
      const { mkdir } = await import('node:fs/promises');
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
      console.log(await ensureAdminToken(config.dataDir));
    });
}
