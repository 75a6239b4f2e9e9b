/**
 * A field the active model reads that the CRM no longer gives LeadLens (deleted, renamed, hidden by
 * field-level security, an archived HubSpot property): the client leaves it out of the record it
 * reads, and scoring takes it as not known to LeadLens, as a field the page does not show, not as
 * empty on the lead: the badge's plan offers no change to it, and the side panel marks it not read.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, expect, it, vi } from 'vitest';
import { createHubSpotClient } from '../crm/hubspot-client';
import { generateDemoLeads } from '../crm/demo-data';
import { createSalesforceClient } from '../crm/salesforce-client';
import type { CrmKind } from '../crm/types';
import { parseManifest, type Manifest } from '../ml/manifest';
import { isolatedText } from '../presentation';
import { defaultBehaviour, type DemoBehaviour } from '../../test/demo-crm/behaviour';
import { demoFetch } from '../../test/demo-crm/fetch';
import { createDemoCrm } from '../../test/demo-crm/server';
import { virtualClock } from '../../test/fixtures/virtual-clock';
import { explainInFull } from './open-lead';
import { scoreLead, type CachedScoreEntry, type ScoringDeps } from './score-lead';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

let manifest: Manifest;
let session: ort.InferenceSession;
const now = new Date('2026-11-01T00:00:00Z');
const leads = generateDemoLeads({ count: 50, seed: 3, now });
const LAST_ACTIVITY = 'Days since last activity';
const lastActivityField = { salesforce: 'LastActivityDate', hubspot: 'notes_last_updated' } as const satisfies Record<CrmKind, string>;

beforeAll(async () => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  session = await ort.InferenceSession.create('models/model.onnx');
});

/** Scoring with the real model and `crm`'s client reading the demo CRM, its field `renamed` renamed (gone under the name the model reads). */
function deps(crm: CrmKind, renamed?: string): ScoringDeps {
  const behaviour: DemoBehaviour = defaultBehaviour();
  const clock = virtualClock();
  behaviour.now = clock.now;
  behaviour.drift = renamed === undefined ? null : { field: renamed, renameTo: `${renamed}_old` };
  const fetch = demoFetch(createDemoCrm(leads, behaviour).handle);
  const client =
    crm === 'salesforce'
      ? createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 't', clock, fetch })
      : createHubSpotClient({ accessToken: async () => 'pat-na1-secret', clock, fetch });
  const cache = new Map<string, CachedScoreEntry>();
  return {
    activeManifest: async () => manifest,
    runModel: async (_id, rows, featureCount) => {
      const out = await session.run({ features: new ort.Tensor('float32', rows, [rows.length / featureCount, featureCount]) });
      return { probability: out.probability.data as Float32Array, contributions: [out.contributions.data as Float32Array] };
    },
    cache: { get: async (key) => cache.get(key), put: async (key, entry) => void cache.set(key, entry) },
    now: () => now,
    fetchRecord: async (_crm, id, fields) => (await client.readRecord(id, { fields }))?.fields ?? null,
  };
}

// A lead still to work with no activity yet: a plan that reads its last activity offers to log one.
const lead = leads.find((demo) => demo.salesforce.LastActivityDate === null && demo.hubspot.notes_last_updated === null && demo.hubspot.lifecyclestage === 'marketingqualifiedlead')!;
const pageOf = (crm: CrmKind) => ({ crm, recordId: crm === 'salesforce' ? lead.salesforceId : lead.hubspotId, fields: {} });

it.each(['salesforce', 'hubspot'] as const)('%s: a field the CRM no longer gives is not known to LeadLens, not empty on the lead: no plan to change it', async (crm) => {
  const offersLastActivity = (changes: readonly string[] | undefined) => (changes ?? []).some((change) => change.startsWith(LAST_ACTIVITY));

  const read = await scoreLead(pageOf(crm), deps(crm));
  if (!read.ok) throw new Error(read.error);
  // Read and empty: logging an activity would make it hotter.
  expect(offersLastActivity(read.lead.hotter?.changes)).toBe(true);

  const gone = deps(crm, lastActivityField[crm]);
  const badge = await scoreLead(pageOf(crm), gone);
  if (!badge.ok) throw new Error(badge.error);
  expect(offersLastActivity(badge.lead.hotter?.changes)).toBe(false);
  // A plan left with other changes says why it offers none to it, as for a field the page does not show.
  if (badge.lead.hotter) expect(badge.lead.hotter.notOnPage).toContain(isolatedText(LAST_ACTIVITY));
  // The side panel, from the badge's cached fields and from a record read anew, says the same.
  for (const panelDeps of [gone, deps(crm, lastActivityField[crm])]) {
    const panel = await explainInFull(pageOf(crm), 'A lead', { ...panelDeps, manifest });
    if (!panel.ok) throw new Error(panel.error);
    expect(panel.lead.fieldsRead.flatMap((wasRead, f) => (wasRead ? [] : [manifest.features[f].label]))).toEqual([LAST_ACTIVITY]);
  }
});

it('takes a rate as not known when the CRM no longer gives one of the two fields it is worked out from, as a page showing one of them', async () => {
  const gone = deps('hubspot', 'hs_email_click');
  const panel = await explainInFull(pageOf('hubspot'), 'A lead', { ...gone, manifest });
  if (!panel.ok) throw new Error(panel.error);
  expect(panel.lead.fieldsRead.flatMap((wasRead, f) => (wasRead ? [] : [manifest.features[f].key]))).toEqual(['email_clicks', 'email_click_rate']);
});
