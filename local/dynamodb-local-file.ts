import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

/** The file DynamoDB Local keeps every table in when it runs with `-sharedDb`. */
export const SHARED_DATABASE_FILE = 'shared-local-instance.db';

/**
 * SQLite page size of a new data file. DynamoDB Local 3.3 bundles SQLite 3.8.7 (2014), whose new databases
 * have 1 KiB pages and a 2,000-page (2 MiB) cache: a store of tens of megabytes then reads most B-tree
 * pages back through system calls, half of DynamoDB Local's CPU in a bulk load (`perf`). Measured here,
 * loading the demo data (27,099 items) on disk: 54 s with 1 KiB pages, 30 s with 4 KiB, 25 s with 16 KiB,
 * 28 s with 64 KiB.
 */
const PAGE_SIZE = 16_384;

/**
 * Creates DynamoDB Local's data file in `dataDir` with large pages, before DynamoDB Local first opens it
 * (SQLite fixes the page size when a database is created; DynamoDB Local makes its own tables in it).
 * A file that exists is left as it is, whatever its page size.
 */
export async function prepareDataFile(dataDir: string): Promise<void> {
  const file = join(dataDir, SHARED_DATABASE_FILE);
  if (existsSync(file)) return;
  const SQL = await initSqlJs();
  const database = new SQL.Database();
  try {
    // The page size is written with the first schema change; the placeholder table leaves no trace.
    database.run(
      `PRAGMA page_size = ${PAGE_SIZE}; CREATE TABLE page_size_placeholder (x); DROP TABLE page_size_placeholder;`,
    );
    writeFileSync(file, database.export(), { flag: 'wx' });
  } finally {
    database.close();
  }
}
