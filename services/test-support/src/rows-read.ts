/**
 * Counts the rows queries read from some tables of a test database, whatever connection reads them,
 * to assert what a pass costs in rows rather than in time: a restrictive row-level security policy
 * on each table calls a function that advances the table's sequence for every row a SELECT looks
 * at (sequences are not transactional, so every session's reads count at once, committed or not).
 * Writes are not counted. Only for a test's own database: stop() takes it all away again.
 */
import type { Database } from "@booking-rush/lib/clients";
import { sql } from "drizzle-orm";

export async function countRowsRead<Table extends string>(db: Database, tables: readonly Table[]) {
  const sequence = (table: string) => sql.identifier(`rows_read_${table}`);
  await db.execute(sql`
    create or replace function rows_read_count(counter regclass) returns boolean language plpgsql volatile as $$
    begin
      perform nextval(counter);
      return true;
    end $$`);
  for (const table of tables) {
    await db.execute(sql`create sequence if not exists ${sequence(table)}`);
    await db.execute(sql`alter table ${sql.identifier(table)} enable row level security`);
    await db.execute(sql`alter table ${sql.identifier(table)} force row level security`);
    await db.execute(sql`create policy rows_read_all on ${sql.identifier(table)} using (true) with check (true)`);
    await db.execute(
      sql`create policy rows_read_counted on ${sql.identifier(table)} as restrictive for select
        using (rows_read_count(${sql.raw(`'rows_read_${table}'`)}::regclass))`,
    );
  }
  const now = async () => {
    const counts = {} as Record<Table, number>;
    for (const table of tables) {
      const [row] = await db.execute<{ last_value: string; is_called: boolean }>(sql`select last_value, is_called from ${sequence(table)}`);
      counts[table] = row!.is_called ? Number(row!.last_value) : 0;
    }
    return counts;
  };
  return {
    /** Rows read from each table while `work` ran (by anyone). */
    async during<T>(work: () => Promise<T>): Promise<{ value: T; rows: Record<Table, number> }> {
      const before = await now();
      const value = await work();
      const after = await now();
      const rows = {} as Record<Table, number>;
      for (const table of tables) rows[table] = after[table] - before[table];
      return { value, rows };
    },
    async stop() {
      for (const table of tables) {
        await db.execute(sql`drop policy if exists rows_read_counted on ${sql.identifier(table)}`);
        await db.execute(sql`drop policy if exists rows_read_all on ${sql.identifier(table)}`);
        await db.execute(sql`alter table ${sql.identifier(table)} no force row level security`);
        await db.execute(sql`alter table ${sql.identifier(table)} disable row level security`);
        await db.execute(sql`drop sequence if exists ${sequence(table)}`);
      }
    },
  };
}
