/**
 * npm run bench:upgrade [-- --leads 100000]
 *
 * The database upgrade a LeadLens update runs on an install that already stores many leads, in
 * the built extension in headless Chromium. Two installs, each in a browser of its own:
 * - one left at version 3, upgraded to version 7: version 4 fills a lead summary from every
 *   stored lead, version 5 adds an empty store, version 6 fills one owed score per lead from the
 *   summaries (the first scoring after the update then covers every lead), version 7 gives the
 *   demo leads stored with owner 'Unassigned' none;
 * - one updated from the last release, at version 6 (leads and their summaries, every lead
 *   scored), upgraded to version 7: the demo leads' owners alone.
 * A document of the extension's origin replaces the database by the older version's (Dexie's
 * schema as lib/db/db.ts declares it up to that version, created with the plain IndexedDB API)
 * holding N demo leads with all their fields, one in ten stored with owner 'Unassigned' as Demo
 * mode stored a lead nobody owns before 41e3457, and their summaries for version 6; opening the options
 * page then upgrades it. Measured: options page opened → database at version 7. Then checked: N
 * summaries, N owed scores from version 3 (none from 6, whose leads were scored), and no lead or
 * summary left owned by 'Unassigned'. Anchor, same run: reading every stored lead once with a
 * plain cursor (the read the upgrade from version 3 cannot avoid). Writes the `upgrade` section
 * of BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { demoStoredLeads } from '../../lib/crm/demo-leads';
import { db, summaryOf, type LeadSummary, type StoredLead } from '../../lib/db/db';
import { chromiumPath, startHarness } from '../e2e/harness';
import { writeBenchmarkSection } from './report';

const { values } = parseArgs({ options: { leads: { type: 'string', default: '100000' } } });
const LEADS = Number(values.leads);
if (!Number.isInteger(LEADS) || LEADS <= 0) throw new Error(`--leads: "${values.leads}" is not a positive whole number`);
const SEED_CHUNK = 5000;
/** Dexie stores version n as IndexedDB version 10 n. */
const IDB_VERSION = (dexieVersion: number) => dexieVersion * 10;
/** The version the extension upgrades to: the last lib/db/db.ts declares. */
const LATEST_VERSION = db.verno;
// The seeds and the section's words say what each upgrade up to version 7 fills: a later version may fill more.
if (LATEST_VERSION !== 7) throw new Error(`lib/db/db.ts declares version ${LATEST_VERSION}: bring this benchmark's seeds and wording up to it`);

interface UpgradeRun {
  /** The version the install was left at. */
  from: 3 | 6;
  seedSeconds: number;
  readSeconds: number;
  upgradeSeconds: number;
  summaries: number;
  owedScores: number;
  /** Leads and summaries still owned by 'Unassigned' once upgraded: none of these demo leads. */
  unassigned: number;
}

/** Seeds a version-`from` database of `leads` in a browser of its own, opens the options page and times the upgrade to the latest version. */
async function measureUpgrade(from: UpgradeRun['from'], leads: StoredLead[]): Promise<UpgradeRun> {
  const harness = await startHarness();
  try {
    // A document of the extension's origin without its scripts, so that no Dexie connection
    // reopens the database while it is replaced; the service worker (which holds one) is stopped.
    const worker = await harness.context.newPage();
    await worker.goto(`chrome-extension://${harness.extensionId}/manifest.json`);
    const cdp = await harness.context.newCDPSession(worker);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    // The rows wait in the document first, so that one transaction can store them all.
    for (let start = 0; start < leads.length; start += SEED_CHUNK) {
      const chunk = leads.slice(start, start + SEED_CHUNK);
      const summaries: LeadSummary[] = from >= 4 ? chunk.map(summaryOf) : [];
      await worker.evaluate(
        ({ chunk, summaries }) => {
          const waiting = globalThis as unknown as { leads?: unknown[]; summaries?: unknown[] };
          (waiting.leads ??= []).push(...chunk);
          (waiting.summaries ??= []).push(...summaries);
        },
        { chunk, summaries },
      );
    }
    console.log(`Storing ${LEADS.toLocaleString('en-US')} leads${from >= 4 ? ' and their summaries' : ''} in a version-${from} database…`);
    // Created, filled and read (the anchor) in its own versionchange transaction: no other
    // connection (the service worker's Dexie, restarted) can open it in between.
    const seeded = await worker.evaluate(
      ({ from, nativeVersion }) =>
        new Promise<{ seedSeconds: number; readSeconds: number }>((resolve, reject) => {
          const waiting = globalThis as unknown as { leads: { key: string }[]; summaries: { key: string }[] };
          const deleting = indexedDB.deleteDatabase('leadlens');
          deleting.onerror = () => reject(deleting.error);
          const open = indexedDB.open('leadlens', nativeVersion);
          const times = { seedSeconds: 0, readSeconds: 0 };
          open.onerror = () => reject(open.error);
          open.onupgradeneeded = () => {
            // The stores and indexes db.ts declares up to version(3), and those of versions 4 to 6 when seeded at 6.
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
            const summaries = from >= 4 ? db.createObjectStore('leadSummaries', { keyPath: 'key' }) : undefined;
            if (from >= 5) db.createObjectStore('heldOutScores', { keyPath: 'modelId' });
            if (from >= 6) {
              db.createObjectStore('owedLeadScores', { keyPath: 'key' });
              db.createObjectStore('unscorableLeads', { keyPath: 'key' }).createIndex('[modelId+key]', ['modelId', 'key']);
            }
            const seedStart = performance.now();
            let lastPut: IDBRequest | undefined;
            for (const lead of waiting.leads) lastPut = leads.put(lead);
            if (summaries) for (const summary of waiting.summaries) lastPut = summaries.put(summary);
            // The anchor, once the last row is stored: one plain cursor over every lead.
            lastPut!.onsuccess = () => {
              times.seedSeconds = (performance.now() - seedStart) / 1000;
              const readStart = performance.now();
              const cursor = leads.openCursor();
              cursor.onsuccess = () => {
                if (cursor.result) cursor.result.continue();
                else times.readSeconds = (performance.now() - readStart) / 1000;
              };
            };
          };
          open.onsuccess = () => {
            open.result.close();
            waiting.leads = [];
            waiting.summaries = [];
            resolve(times);
          };
        }),
      { from, nativeVersion: IDB_VERSION(from) },
    );

    // From here the first connection that asks for the latest version upgrades it: the options page, or the service worker woken first.
    console.log(`Opening the options page: the extension upgrades its database to version ${LATEST_VERSION}…`);
    // Wall-clock ms, which Node and the page share: the upgrade ends in the page.
    const upgradeStart = Date.now();
    const options = await harness.context.newPage();
    await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
    // An open without a version waits for an upgrade under way; before one starts, it sees the seeded version.
    let upgraded: { upgradedAt: number; summaries: number; owedScores: number; unassigned: number } | null = null;
    while (upgraded === null) {
      upgraded = await worker.evaluate(
        (latest) =>
          new Promise<{ upgradedAt: number; summaries: number; owedScores: number; unassigned: number } | null>((resolve, reject) => {
            const open = indexedDB.open('leadlens');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const upgradedAt = Date.now();
              const db = open.result;
              if (db.version < latest) {
                db.close();
                resolve(null);
                return;
              }
              // Counted in a transaction begun at once: the scoring the update starts deletes owed rows only in later ones.
              const counting = db.transaction(['leads', 'leadSummaries', 'owedLeadScores']);
              const summaries = counting.objectStore('leadSummaries').count();
              const owedScores = counting.objectStore('owedLeadScores').count();
              const leadsUnassigned = counting.objectStore('leads').index('owner').count('Unassigned');
              // Summaries have no owner index: one cursor over them.
              let summariesUnassigned = 0;
              const summaryCursor = counting.objectStore('leadSummaries').openCursor();
              summaryCursor.onsuccess = () => {
                if (!summaryCursor.result) return;
                if ((summaryCursor.result.value as { owner: string }).owner === 'Unassigned') summariesUnassigned++;
                summaryCursor.result.continue();
              };
              counting.oncomplete = () => {
                db.close();
                resolve({ upgradedAt, summaries: summaries.result, owedScores: owedScores.result, unassigned: leadsUnassigned.result + summariesUnassigned });
              };
              counting.onerror = () => reject(counting.error);
            };
          }),
        IDB_VERSION(LATEST_VERSION),
      );
      if (upgraded === null) await options.waitForTimeout(50);
    }
    await options.close();
    const { upgradedAt, ...counted } = upgraded;
    return { from, ...seeded, upgradeSeconds: (upgradedAt - upgradeStart) / 1000, ...counted };
  } finally {
    await harness.close();
  }
}

// One lead in ten stored as Demo mode stored one nobody owns before 41e3457: more than it made up (its leads nearly all have an owner), so version 7 has work to time.
const UNOWNED_EVERY = 10;
const leads = demoStoredLeads(new Date(), LEADS).map((lead, i) => (lead.owner === '' || i % UNOWNED_EVERY === 0 ? { ...lead, owner: 'Unassigned' } : lead));
const unowned = leads.filter((lead) => lead.owner === 'Unassigned').length;
const runs: UpgradeRun[] = [];
for (const from of [3, 6] as const) {
  const run = await measureUpgrade(from, leads);
  if (run.summaries !== LEADS) throw new Error(`the upgrade from version ${from} left ${run.summaries} summaries for ${LEADS} leads`);
  // From version 6 the leads were scored already: none is owed a score.
  const owed = from < 6 ? LEADS : 0;
  if (run.owedScores !== owed) throw new Error(`the upgrade from version ${from} left ${run.owedScores} owed scores, not ${owed}`);
  if (run.unassigned !== 0) throw new Error(`the upgrade from version ${from} left ${run.unassigned} demo leads and summaries owned by 'Unassigned'`);
  runs.push(run);
}

const count = LEADS.toLocaleString('en-US');
const owners = `${unowned.toLocaleString('en-US')} demo leads' owner 'Unassigned' emptied, in leads and summaries (version 7)`;
const filled: Record<UpgradeRun['from'], string> = {
  3: `${count} summaries (version 4, from every lead), ${count} owed scores (version 6, from the summaries), ${owners}`,
  6: owners,
};
const body = [
  `## Database upgrade with stored leads (\`npm run bench:upgrade\`)`,
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} (headless ${execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim()}, Node ${process.version}, ${os.cpus().length} shared cores; one run each).`,
  '',
  `${count} demo leads with all their fields, stored with the plain IndexedDB API in a database left at an older version, in a browser of its own, then upgraded to version ${LATEST_VERSION} by the first extension context that opens it (the options page is opened at once). One in ten (and any nobody owns) is stored with owner 'Unassigned', as Demo mode stored a lead nobody owns before 41e3457: more than Demo mode made up, whose leads nearly all have an owner, so that version 7 has work to time. From version 3, an install not updated since: version 4 fills a lead summary from every lead, version 5 adds an empty store, version 6 fills one owed score per lead from the summaries, so that the first scoring after the update covers every lead, version 7 gives those demo leads no owner. From version 6, an install updated from the last release (leads and their summaries stored, every lead scored): version 7 alone. Measured from the older database's release to the database open at version ${LATEST_VERSION}; then checked: ${count} summaries, ${count} owed scores from version 3 (none from version 6), no lead or summary owned by 'Unassigned'. Anchor: one plain cursor over every stored lead, same run.`,
  '',
  `| upgrade | what it fills | seeded in | upgrade | anchor: reading every stored lead once | ratio upgrade / anchor |`,
  '|---|---|---|---|---|---|',
  ...runs.map(
    (run) =>
      `| version ${run.from} → ${LATEST_VERSION} | ${filled[run.from]} | ${run.seedSeconds.toFixed(1)} s | ${run.upgradeSeconds.toFixed(1)} s | ${run.readSeconds.toFixed(1)} s | ${(run.upgradeSeconds / run.readSeconds).toFixed(1)}× |`,
  ),
  '',
  'The upgrade runs in whichever context opens the database first after an update. Chrome stops a service worker after 30 s without an extension event or API call, and IndexedDB work is neither: the service worker therefore opens the database calling an extension API every 20 s until it is open (lib/background/keep-alive.ts), so a store whose upgrade takes longer than 30 s is not cut short and started again.',
].join('\n');
writeBenchmarkSection('upgrade', body);
console.log(body);
