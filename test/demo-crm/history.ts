/**
 * Writes the demo history CSV the bundled model is trained on (see `demoHistoryRows`).
 *
 *   npm run demo:history -- --out PATH [--count 5000] [--seed 42] [--now 2026-11-01T00:00:00Z]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { DEMO_HISTORY_COLUMNS, demoHistoryRows } from '../../lib/crm/demo-data';

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '42' },
      now: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('Usage: npm run demo:history -- --out PATH [--count 5000] [--seed 42] [--now ISO-DATE-TIME]');
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new Error(`--now is not a date-time: ${values.now}`);
  const rows = demoHistoryRows({ count: Number(values.count), seed: Number(values.seed), now });
  writeFileSync(values.out, `${Papa.unparse(rows, { columns: [...DEMO_HISTORY_COLUMNS], newline: '\n' })}\n`);
  const positives = rows.filter((row) => row.converted === '1').length;
  console.log(`Wrote ${rows.length} leads (${positives} converted) as of ${now.toISOString()} to ${values.out}`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
