/**
 * npm run bench:upgrade [-- --leads 100000]
 *
 * The database upgrade a LeadLens update runs on an install that already stores many leads:
 * version 4 adds the lead summaries, filled from every stored lead in the upgrade itself. In
 * the built extension in headless Chromium, a document of the extension's origin replaces its
 * database by a version-3 one (Dexie's schema as version 3 left it, created with the plain
 * IndexedDB API) holding N demo leads with all their fields; opening the options page then
 * upgrades it. Measured: options page opened → database at version 4 with every summary.
 * Anchor, same run: reading every stored lead once with a plain cursor (the read the upgrade
 * cannot avoid). Writes the `upgrade` section of BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { demoStoredLeads } from '../../lib/crm/demo-leads';
import type { StoredLead } from '../../lib/db/db';
import { chromiumPath, startHarness } from '../e2e/harness';
import { writeBenchmarkSection } from './report';

const { values } = parseArgs({ options: { leads: { type: 'string', default: '100000' } } });
const LEADS = Number(values.leads);
if (!Number.isInteger(LEADS) || LEADS <= 0) throw new Error(`--leads: "${values.leads}" is not a positive whole number`);
const SEED_CHUNK = 5000;
/** Dexie stores version n as IndexedDB version 10 n. */
const IDB_VERSION = (dexieVersion: number) => dexieVersion * 10;

const harness = await startHarness();
let result: { seedSeconds: number; readSeconds: number; upgradeSeconds: number; summaries: number; version: number };
try {
  // A document of the extension's origin without its scripts, so that no Dexie connection
  // reopens the database while it is replaced; the service worker (which holds one) is stopped.
  const worker = await harness.context.newPage();
  await worker.goto(`chrome-extension://${harness.extensionId}/manifest.json`);
  const cdp = await harness.context.newCDPSession(worker);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  // The leads wait in the document first, so that one transaction can store them all.
  const leads = demoStoredLeads(new Date(), LEADS);
  for (let from = 0; from < leads.length; from += SEED_CHUNK) {
    const chunk: StoredLead[] = leads.slice(from, from + SEED_CHUNK);
    await worker.evaluate((chunk) => {
      const waiting = globalThis as unknown as { leads?: unknown[] };
      (waiting.leads ??= []).push(...chunk);
    }, chunk);
  }
  console.log(`Storing ${LEADS.toLocaleString('en-US')} leads in a version-3 database…`);
  // Created, filled and read (the anchor) in its own versionchange transaction: no other
  // connection (the service worker's Dexie, restarted) can open it in between.
  const seeded = await worker.evaluate(
    (version) =>
      new Promise<{ seedSeconds: number; readSeconds: number }>((resolve, reject) => {
        const waiting = globalThis as unknown as { leads: { key: string }[] };
        const deleting = indexedDB.deleteDatabase('leadlens');
        deleting.onerror = () => reject(deleting.error);
        const open = indexedDB.open('leadlens', version);
        const times = { seedSeconds: 0, readSeconds: 0 };
        open.onerror = () => reject(open.error);
        open.onupgradeneeded = () => {
          // Version 3's stores and indexes, as db.ts declares them up to version(3).
          const db = open.result;
          db.createObjectStore('scores', { keyPath: 'key' }).createIndex('scoredAt', 'scoredAt');
          const leads = db.createObjectStore('leads', { keyPath: 'key' });
          for (const index of ['source', 'origin', 'createdAt', 'modifiedAt', 'owner', 'leadSource']) leads.createIndex(index, index);
          const leadScores = db.createObjectStore('leadScores', { keyPath: 'key' });
          leadScores.createIndex('leadKey', 'leadKey');
          leadScores.createIndex('[modelId+tier]', ['modelId', 'tier']);
          leadScores.createIndex('[modelId+probability]', ['modelId', 'probability']);
          db.createObjectStore('models', { keyPath: 'id' }).createIndex('addedAt', 'addedAt');
          db.createObjectStore('settings', { keyPath: 'key' });
          db.createObjectStore('csvStaging', { keyPath: 'key' });
          const seedStart = performance.now();
          waiting.leads.forEach((lead, i) => {
            const put = leads.put(lead);
            if (i < waiting.leads.length - 1) return;
            // The anchor, once the last lead is stored: one plain cursor over every lead.
            put.onsuccess = () => {
              times.seedSeconds = (performance.now() - seedStart) / 1000;
              const readStart = performance.now();
              const cursor = leads.openCursor();
              cursor.onsuccess = () => {
                if (cursor.result) cursor.result.continue();
                else times.readSeconds = (performance.now() - readStart) / 1000;
              };
            };
          });
        };
        open.onsuccess = () => {
          open.result.close();
          waiting.leads = [];
          resolve(times);
        };
      }),
    IDB_VERSION(3),
  );

  // From here the first connection that asks for version 4 upgrades it: the options page, or the service worker woken first.
  console.log('Opening the options page: the extension upgrades its database…');
  const upgradeStart = performance.now();
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
  // An open without a version waits for an upgrade under way; before one starts, it sees version 3.
  let opened = { version: IDB_VERSION(3), summaries: 0 };
  while (opened.version < IDB_VERSION(4)) {
    opened = await worker.evaluate(
      () =>
        new Promise<{ version: number; summaries: number }>((resolve, reject) => {
          const open = indexedDB.open('leadlens');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('leadSummaries')) {
              db.close();
              resolve({ version: db.version, summaries: 0 });
              return;
            }
            const count = db.transaction('leadSummaries').objectStore('leadSummaries').count();
            count.onsuccess = () => {
              db.close();
              resolve({ version: db.version, summaries: count.result });
            };
            count.onerror = () => reject(count.error);
          };
        }),
    );
    if (opened.version < IDB_VERSION(4)) await options.waitForTimeout(50);
  }
  const upgradeSeconds = (performance.now() - upgradeStart) / 1000;
  await options.close();
  result = { ...seeded, upgradeSeconds, ...opened };
} finally {
  await harness.close();
}

if (result.summaries !== LEADS) throw new Error(`the upgrade left ${result.summaries} summaries for ${LEADS} leads`);
const body = [
  `## Database upgrade with stored leads (\`npm run bench:upgrade\`)`,
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} (headless ${execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim()}, Node ${process.version}, ${os.cpus().length} shared cores; one run).`,
  '',
  `A version-3 database holding ${LEADS.toLocaleString('en-US')} demo leads with all their fields (stored in ${result.seedSeconds.toFixed(1)} s with the plain IndexedDB API), upgraded to version 4 (lead summaries, filled from every lead) by the first extension context that opens it (the options page is opened at once). Measured from the version-3 database's release. Anchor: one plain cursor over every stored lead, same run.`,
  '',
  '| measure | value |',
  '|---|---|',
  `| version 3 released → database at version 4 with ${result.summaries.toLocaleString('en-US')} summaries | ${result.upgradeSeconds.toFixed(1)} s |`,
  `| anchor: reading every stored lead once | ${result.readSeconds.toFixed(1)} s |`,
  `| ratio upgrade / anchor | ${(result.upgradeSeconds / result.readSeconds).toFixed(1)}× |`,
  '',
  'The upgrade runs in whichever context opens the database first after an update. Chrome stops a service worker after 30 s without an extension event or API call, and IndexedDB work is neither: the service worker therefore opens the database calling an extension API every 20 s until it is open (lib/background/keep-alive.ts), so a store whose upgrade takes longer than 30 s is not cut short and started again.',
].join('\n');
writeBenchmarkSection('upgrade', body);
console.log(body);
