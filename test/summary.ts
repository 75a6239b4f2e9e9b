/**
 * The closing line of `npm test` once every part has passed (a failing part ends the chain
 * before it): the unit and end-to-end runs' counts from Vitest's JSON reports, as one plain
 * line that any CI can read, failing should a report count no test or a failed one.
 */
import { readFileSync } from 'node:fs';

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

const reports = ['test-results/unit.json', 'test-results/e2e.json'].map(
  (file) => JSON.parse(readFileSync(file, 'utf8')) as VitestReport,
);
const total = (key: keyof VitestReport) => reports.reduce((sum, report) => sum + report[key], 0);
console.log(`\ntests: ${total('numPassedTests')} passed, ${total('numFailedTests')} failed, ${total('numPendingTests')} skipped`);
if (total('numPassedTests') === 0 || total('numFailedTests') > 0) process.exit(1);
