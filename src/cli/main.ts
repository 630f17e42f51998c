import { Command, CommanderError } from 'commander';
import { ConfigError } from '../runtime/config.js';
import { DataDirLockedError } from '../runtime/data-dir-lock.js';
import { type Backend, CliError, connect } from './backend.js';
import { registerAuctionCommands } from './commands/auction.js';
import { registerEventCommands } from './commands/events.js';
import { registerLoaderCommands } from './commands/loader.js';
import { registerObjectCommands } from './commands/objects.js';
import { registerOperationCommands } from './commands/operations.js';
import { registerOrderCommands } from './commands/orders.js';
import { registerReportCommands } from './commands/reports.js';
import { registerServerCommands } from './commands/server.js';
import { registerStatementCommands } from './commands/statements.js';

const program = new Command('tributary')
  .description('Event-driven data pipelines, embedded: statements, events, orders, loader')
  .option('--data-dir <dir>', 'data directory (default: $TRIBUTARY_DATA_DIR or .tributary)')
  .showHelpAfterError()
  .exitOverride();

/**
 * Runs one command against the local server when one owns the data dir, or in-process;
 * in-process, the work the command triggered settles before the process exits.
 */
async function run(body: (backend: Backend) => Promise<void>): Promise<void> {
  const backend = await connect(program.opts<{ dataDir?: string }>());
  try {
    await body(backend);
    if (backend.mode === 'in-process') await backend.settle();
  } finally {
    await backend.close();
  }
}

registerServerCommands(program);
registerObjectCommands(program, run);
registerStatementCommands(program, run);
registerOperationCommands(program, run);
registerEventCommands(program, run);
registerOrderCommands(program, run);
registerAuctionCommands(program, run);
registerReportCommands(program, run);
registerLoaderCommands(program, run);

// `tributary get … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (
    error instanceof CliError ||
    error instanceof ConfigError ||
    error instanceof DataDirLockedError
  ) {
    console.error(`error: ${error.message}`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  } else if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
    process.exitCode = 0;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
