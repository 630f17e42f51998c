import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { type FunctionLogger, stderrLogger } from './logger.js';

describe('stderrLogger', () => {
  it('writes warnings and errors as one line each, named for the function, with attributes as JSON', () => {
    const lines: string[] = [];
    const logger = stderrLogger('loader-ingest', { write: (line) => lines.push(line) });
    logger.info('loaded');
    logger.warn('landing/stage/x.csv matches no routing rule', { movedTo: 'unmatched/x.csv' });
    logger.error('unhandled', { error: new TypeError('boom') });
    expect(lines).toEqual([
      'loader-ingest: landing/stage/x.csv matches no routing rule {"movedTo":"unmatched/x.csv"}\n',
      'loader-ingest: unhandled {"error":"TypeError: boom"}\n',
    ]);
  });

  it('writes info lines too when verbose', () => {
    const lines: string[] = [];
    stderrLogger('statements-ingest', { verbose: true, write: (line) => lines.push(line) }).info('ok');
    expect(lines).toEqual(['statements-ingest: ok\n']);
  });

  it('has the shape of a Powertools Logger, which the AWS entries pass instead', () => {
    const logger: FunctionLogger = new Logger({ serviceName: 'statements-ingest', logLevel: 'SILENT' });
    expect(() => logger.warn('quiet', { key: 'value' })).not.toThrow();
  });
});
