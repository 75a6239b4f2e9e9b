/** Demo mode's leads against the history the bundled model learnt from. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../ml/manifest';
import { DEMO_OWNERS, demoHistoryRows, generateDemoLeads } from './demo-data';
import { DEMO_SEED, demoStoredLead, demoStoredLeads } from './demo-leads';

const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const { provenance } = parsed.manifest;

/** The seed `npm run model:build` writes the bundled model's history with. */
function historySeed(): number {
  const script: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts['model:build'];
  const seed = /demo:history -- [^&]*--seed (\d+)/.exec(script)?.[1];
  if (seed === undefined) throw new Error(`model:build names no history seed: ${script}`);
  return Number(seed);
}

/** A lead as its history row shows it (blank for none): e-mail and creation time, to the millisecond, tell leads apart. */
const rowKey = (email: unknown, createdAt: unknown) => `${email ?? ''}|${createdAt ?? ''}`;
const leadKey = (lead: ReturnType<typeof demoStoredLeads>[number]) =>
  lead.source === 'salesforce' ? rowKey(lead.fields.Email, lead.fields.CreatedDate) : rowKey(lead.fields.email, lead.fields.createdate);
const historyKeys = (seed: number, now: Date) => new Set(demoHistoryRows({ count: provenance.rows, seed, now }).map((row) => rowKey(row.email, row.created_at)));

describe('demo mode leads', () => {
  it('are none of the leads the bundled model learnt from: the model report and tier preview read it on leads it never saw', () => {
    expect(historySeed()).not.toBe(DEMO_SEED);
    const historyNow = new Date(provenance.referenceTime);
    const learnt = historyKeys(historySeed(), historyNow);
    expect(learnt.size).toBeGreaterThan(4900);
    const demo = demoStoredLeads(historyNow);
    expect(demo.length).toBeGreaterThan(1000);
    expect(demo.filter((lead) => learnt.has(leadKey(lead))).map((lead) => lead.key)).toEqual([]);
    // The check can fail: the history of demo mode's own seed holds every one of them.
    const ownSeed = historyKeys(DEMO_SEED, historyNow);
    expect(demo.filter((lead) => ownSeed.has(leadKey(lead)))).toHaveLength(demo.length);
  });

  it("store a lead nobody owns with no owner, as a sync stores one, so the side panel's No owner filter keeps demo and synced leads alike", () => {
    const [lead] = generateDemoLeads({ count: 1, seed: DEMO_SEED, now: new Date(provenance.referenceTime) });
    expect(demoStoredLead(lead, 'salesforce').owner).not.toBe('');
    expect(demoStoredLead({ ...lead, hubspot: { ...lead.hubspot, hubspot_owner_id: null } }, 'hubspot').owner).toBe('');
    // An owner the demo does not name is stored by its id, as a sync stores one the CRM cannot name.
    expect(demoStoredLead({ ...lead, salesforce: { ...lead.salesforce, OwnerId: '005000000000000AAA' } }, 'salesforce').owner).toBe('005000000000000AAA');
  });

  it('are stored as a sync stores the same records: only the fields holding a value, the owner by name, the outcome as the demo drew it', () => {
    const now = new Date(provenance.referenceTime);
    const demo = generateDemoLeads({ count: 2000, seed: DEMO_SEED, now });
    const stored = demoStoredLeads(now, demo.length);
    const ownerNames = new Set(DEMO_OWNERS.map((owner) => owner.name));
    stored.forEach((lead, i) => {
      const record = lead.source === 'salesforce' ? demo[i].salesforce : demo[i].hubspot;
      expect([lead.key, lead.fields]).toEqual([lead.key, Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null))]);
      expect([lead.key, lead.origin, ownerNames.has(lead.owner), lead.outcome]).toEqual([lead.key, 'demo', true, demo[i].converted ? 1 : 0]);
    });
    expect(new Set(stored.map((lead) => lead.source))).toEqual(new Set(['salesforce', 'hubspot']));
  });
});
