import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/adapters/sql/migrate.js';
import type { SqlClient } from '../src/adapters/sql/sql-client.js';
import { describeEachDriver } from './support/sql-drivers.js';

/** The drivers share one database per file: every test works in a table of its own. */
async function freshTable(db: SqlClient, columns: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await db.exec(`CREATE TABLE ${name} (${columns})`);
  return name;
}

describeEachDriver('SqlClient contract', (getDb, driver) => {
  it('reports which driver it is', () => {
    expect(getDb().dialect).toBe(driver);
  });

  describe('value conventions', () => {
    it('returns int8 as a number, numeric as a string and int4 as a number', async () => {
      const { rows } = await getDb().query(
        'SELECT 9007199254740991::int8 AS big, -42::int8 AS negative, 12.30::numeric AS exact, 7::int4 AS small, count(*) AS counted FROM generate_series(1, 3)',
      );
      expect(rows).toEqual([{ big: 9007199254740991, negative: -42, exact: '12.30', small: 7, counted: 3 }]);
    });

    it("returns date as 'YYYY-MM-DD' whatever the server's time zone", async () => {
      const { rows } = await getDb().query<{ d: unknown; p: unknown }>(
        "SELECT '2024-02-29'::date AS d, $1::date AS p",
        ['0099-12-31'],
      );
      expect(rows[0]).toEqual({ d: '2024-02-29', p: '0099-12-31' });
    });

    it('returns timestamptz as a Date at the same instant', async () => {
      const at = new Date('2024-07-01T12:34:56.789Z');
      const { rows } = await getDb().query<{ literal: Date; param: Date }>(
        "SELECT '2024-07-01T14:34:56.789+02:00'::timestamptz AS literal, $1::timestamptz AS param",
        [at],
      );
      expect(rows[0]?.literal).toBeInstanceOf(Date);
      expect(rows[0]?.literal.toISOString()).toBe(at.toISOString());
      expect(rows[0]?.param.toISOString()).toBe(at.toISOString());
    });

    it('returns jsonb as a parsed value and accepts a JSON string parameter', async () => {
      const value = { a: [1, 'two', null], b: { nested: true }, unicode: 'é✓' };
      const { rows } = await getDb().query('SELECT $1::jsonb AS j, \'"plain"\'::jsonb AS s', [
        JSON.stringify(value),
      ]);
      expect(rows).toEqual([{ j: value, s: 'plain' }]);
    });

    it('round-trips text[] parameters, including quotes, commas, braces and the word NULL', async () => {
      const values = ['plain', 'with,comma', 'with "quotes"', '{braces}', 'back\\slash', 'NULL', '', 'é✓'];
      const { rows } = await getDb().query<{ a: string[]; n: number }>(
        'SELECT $1::text[] AS a, cardinality($1::text[]) AS n',
        [values],
      );
      expect(rows[0]).toEqual({ a: values, n: values.length });
    });

    it('returns bool, text and SQL NULL as themselves', async () => {
      const { rows } = await getDb().query('SELECT true AS yes, $1::text AS t, NULL::text AS nothing', [
        "it's",
      ]);
      expect(rows).toEqual([{ yes: true, t: "it's", nothing: null }]);
    });

    it('counts the rows a statement changed', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int PRIMARY KEY');
      const insert = await db.query(`INSERT INTO ${table} SELECT generate_series(1, 5)`);
      expect(insert.rowCount).toBe(5);
      const update = await db.query(`UPDATE ${table} SET id = id + 10 WHERE id > 3`);
      expect(update.rowCount).toBe(2);
    });
  });

  describe('transactions', () => {
    it('commits when the function resolves and returns its value', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int');
      const value = await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (1), (2)`);
        return 'done';
      });
      expect(value).toBe('done');
      expect((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows).toEqual([{ n: 2 }]);
    });

    it('rolls everything back when the function throws, and rethrows', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int');
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES (1)`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    });

    it('rolls back a failed statement with the rest of its transaction', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int PRIMARY KEY');
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES (1)`);
          await tx.query(`INSERT INTO ${table} VALUES (1)`);
        }),
      ).rejects.toThrow();
      expect((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    });

    it('rolls back only a nested transaction that throws (a savepoint)', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int PRIMARY KEY');
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (1)`);
        await expect(
          tx.transaction(async (inner) => {
            await inner.query(`INSERT INTO ${table} VALUES (2)`);
            await inner.query(`INSERT INTO ${table} VALUES (1)`);
          }),
        ).rejects.toThrow();
        const kept = await tx.transaction(async (inner) => {
          await inner.query(`INSERT INTO ${table} VALUES (3)`);
          return 3;
        });
        expect(kept).toBe(3);
      });
      const { rows } = await db.query(`SELECT id FROM ${table} ORDER BY id`);
      expect(rows).toEqual([{ id: 1 }, { id: 3 }]);
    });
  });

  describe('copyFromCsv', () => {
    it('loads CSV rows, quoted fields included, and returns how many it copied', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int, label text, at date');
      const csv = '1,plain,2021-01-02\n2,"with, comma",2021-03-04\n3,"say ""hi""",\n';
      expect(await db.copyFromCsv(`${table} (id, label, at)`, csv)).toBe(3);
      const { rows } = await db.query(`SELECT id, label, at FROM ${table} ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, label: 'plain', at: '2021-01-02' },
        { id: 2, label: 'with, comma', at: '2021-03-04' },
        { id: 3, label: 'say "hi"', at: null },
      ]);
    });

    it('loads 50,000 rows in one call', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int, amount bigint');
      const csv = Array.from({ length: 50_000 }, (_, i) => `${i},${i * 3}`).join('\n');
      expect(await db.copyFromCsv(`${table} (id, amount)`, csv)).toBe(50_000);
      const { rows } = await db.query(`SELECT count(*) AS n, sum(amount)::bigint AS total FROM ${table}`);
      expect(rows).toEqual([{ n: 50_000, total: 3 * ((49_999 * 50_000) / 2) }]);
    });

    it('copies inside a transaction and is rolled back with it', async () => {
      const db = getDb();
      const table = await freshTable(db, 'id int');
      await expect(
        db.transaction(async (tx) => {
          expect(await tx.copyFromCsv(`${table} (id)`, '1\n2\n')).toBe(2);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    });
  });

  describe('migrate', () => {
    it('has applied every migration once and applies nothing on a second run', async () => {
      const db = getDb();
      expect(await migrate(db)).toEqual([]);
      const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      expect(rows.map((row) => row.name)).toEqual(
        expect.arrayContaining(['001-fabric.sql', '002-statements.sql']),
      );
      expect(await migrate(db)).toEqual([]);
    });
  });
});
