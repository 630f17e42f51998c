import { describe, expect, it } from 'vitest';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { connectionUrl, rotatingSqlClient } from './rds.js';
import { setSecretReader } from './secrets.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';

describe('connectionUrl', () => {
  it('builds a TLS-verifying URL from the secret RDS generates, credentials encoded', () => {
    const secret = JSON.stringify({
      engine: 'postgres',
      host: 'tributary.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      username: 'tributary',
      password: 'p@ss:w/rd?#',
      dbname: 'tributary',
      dbInstanceIdentifier: 'tributary-prod',
    });
    const url = new URL(connectionUrl(secret, ARN));
    expect(url.hostname).toBe('tributary.abc.eu-west-1.rds.amazonaws.com');
    expect(url.port).toBe('5432');
    expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd?#');
    expect(url.pathname).toBe('/tributary');
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
  });

  it('says what is wrong with a secret that is not an RDS secret, without its values', () => {
    expect(() => connectionUrl('hunter2', ARN)).toThrow(`database secret "${ARN}" is not JSON`);
    const missingHost = () => connectionUrl(JSON.stringify({ username: 'u', password: 'hunter2' }), ARN);
    expect(missingHost).toThrow(/is not an RDS secret: .*host/s);
    expect(missingHost).not.toThrow(/hunter2/);
  });
});

describe('rotatingSqlClient', () => {
  const secretOf = (password: string) =>
    JSON.stringify({ host: 'db.internal', port: 5432, username: 'tributary', password, dbname: 'tributary' });

  it('re-reads a rotated secret and reopens when the server refuses the password, then runs the call again', async () => {
    let password = 'before';
    setSecretReader(async () => secretOf(password));
    const opened: string[] = [];
    const closed: string[] = [];
    const fakeDatabase = (url: string): SqlClient => {
      const used = decodeURIComponent(new URL(url).password);
      return {
        dialect: 'postgres',
        async query<R>() {
          // The server took the new password at rotation: new connections with the old one fail.
          if (used !== password)
            throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
          return { rows: [{ used }] as R[], rowCount: 1 };
        },
        exec: async () => {},
        transaction: async (fn) => fn(fakeDatabase(url)),
        copyFromCsv: async () => 0,
        close: async () => {
          closed.push(used);
        },
      };
    };
    const db = rotatingSqlClient(ARN, async (url) => {
      opened.push(decodeURIComponent(new URL(url).password));
      return fakeDatabase(url);
    });

    expect((await db.query('SELECT 1')).rows).toEqual([{ used: 'before' }]);
    password = 'after';
    expect((await db.query('SELECT 1')).rows).toEqual([{ used: 'after' }]);
    expect(opened).toEqual(['before', 'after']);
    expect(closed).toEqual(['before']);

    const failing = rotatingSqlClient(ARN, async () => {
      throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    });
    await expect(failing.query('SELECT 1')).rejects.toThrow('connection refused');
  });
});
