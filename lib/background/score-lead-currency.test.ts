/**
 * A multi-currency Salesforce org's lead scored from its record page: the API hands its amounts on
 * in the corporate currency, which models trained on synced leads learn, so the page's amount in
 * the lead's own currency (`JPY 300,000,000 (USD 2,000,000.00)`) is read at the same rates, or
 * without them in the user's currency the page converts it to: never as ¥300,000,000 taken for $300,000,000.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createSalesforceClient } from '../crm/salesforce-client';
import type { CrmClient } from '../crm/client';
import { featurizeRecord } from '../ml/featurize';
import { parseManifest, type Manifest } from '../ml/manifest';
import type { ScoredLead } from '../messaging/protocol';
import { pageReadOf, scoreLead, scoredFields, withRecordFields, type ScoringDeps } from './score-lead';

const ID = '00Q5g00000AbCdEFGH';
const NOW = new Date('2026-11-01T00:00:00Z');
let manifest: Manifest;
let session: ort.InferenceSession;
let REVENUE: number;

beforeAll(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined); // each read failing on purpose says so
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
  REVENUE = manifest.features.findIndex((feature) => feature.key === 'annual_revenue');
  session = await ort.InferenceSession.create('models/model.onnx');
});

/** The lead's fields besides its amount, as the API sends them and its page shows them. */
const OTHER_FIELDS = { Industry: 'Energy', NumberOfEmployees: 40, Title: 'CFO' };

/**
 * An org whose Lead is in `currency` (USD corporate, ¥150 to the dollar, no rate for SEK), or a
 * single-currency org's, whose Lead has no currency and whose amounts are not converted.
 */
function org(currency: 'JPY' | 'SEK' | null) {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(String(input));
    const q = url.searchParams.get('q') ?? '';
    if (url.pathname.endsWith('/sobjects/Lead/describe')) {
      const fields = [{ name: 'Id', type: 'id' }, { name: 'SystemModstamp', type: 'datetime' }, { name: 'AnnualRevenue', type: 'currency' }, { name: 'Industry', type: 'picklist' }, { name: 'NumberOfEmployees', type: 'int' }, { name: 'Title', type: 'string' }];
      return json({ fields: currency === null ? fields : [...fields, { name: 'CurrencyIsoCode', type: 'picklist' }] });
    }
    if (currency !== null && q.includes('FROM CurrencyType')) return json({ totalSize: 2, done: true, records: [{ IsoCode: 'USD', ConversionRate: 1 }, { IsoCode: 'JPY', ConversionRate: 150 }] });
    if (url.pathname.endsWith(`/sobjects/Lead/${ID}`)) {
      const amount = currency === null ? { AnnualRevenue: 2_000_000 } : { CurrencyIsoCode: currency, AnnualRevenue: 300_000_000 };
      return json({ Id: ID, SystemModstamp: '2026-11-01T00:00:00.000+0000', ...amount, ...OTHER_FIELDS });
    }
    return json([{ errorCode: 'NOT_FOUND', message: url.pathname }], 404);
  };
  return createSalesforceClient({ instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '67.0', accessToken: async () => 'tok', fetch });
}

/** A Lead page showing `amount` as its AnnualRevenue. */
const pageShowing = (amount: string) => ({ crm: 'salesforce' as const, recordId: ID, fields: { AnnualRevenue: amount, Industry: 'Energy', NumberOfEmployees: '40', Title: 'CFO' }, locale: 'en-US' });

/** Scoring's dependencies: the bundled model, no cached score, and the CRM as `client` answers (none: not connected). */
function deps(client?: CrmClient): ScoringDeps {
  return {
    activeManifest: async () => manifest,
    runModel: async (_modelId, rows, featureCount) => {
      const out = await session.run({ features: new ort.Tensor('float32', rows, [rows.length / featureCount, featureCount]) });
      return { probability: out.probability.data as Float32Array, contributions: [out.contributions.data as Float32Array] };
    },
    cache: { get: async () => undefined, put: async () => {} },
    now: () => NOW,
    ...(client && {
      fetchRecord: async (_crm, recordId, fields) => (await client.readRecord(recordId, { fields }))?.fields ?? null,
      currencyRates: async () => (await client.corporateCurrencyRates?.()) ?? null,
    }),
  };
}

/** `deps` whose record read gets no answer in time, the CRM's rates read all the same. */
const readFailing = (client: CrmClient): ScoringDeps => ({ ...deps(client), fetchRecord: async () => Promise.reject(new Error('no answer within 10 s')) });

/** The revenue the model is given for the lead, as `scoredFields` reads its fields (the side panel's reading, as the badge's). */
async function revenueScored(request: ReturnType<typeof pageShowing>, scoring: ScoringDeps): Promise<number> {
  const { fields } = await scoredFields(manifest, request, scoring);
  return featurizeRecord(fields, manifest.features, 'salesforce', NOW)[REVENUE];
}

const yenLead = pageShowing('JPY 300,000,000 (USD 2,000,000.00)');
const ok = (outcome: Awaited<ReturnType<typeof scoreLead>>): ScoredLead => {
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.lead;
};

describe('a multi-currency Lead scored from its page', () => {
  it("scores a ¥300,000,000 lead whose record read failed as its record: $2,000,000, worded as the page shows it", async () => {
    const client = org('JPY');
    expect(await revenueScored(yenLead, deps(client))).toBe(2_000_000);
    expect(await revenueScored(yenLead, readFailing(client))).toBe(2_000_000);
    const fromRecord = ok(await scoreLead(yenLead, deps(client)));
    const fromPage = ok(await scoreLead(yenLead, readFailing(client)));
    expect(fromPage.probability).toBe(fromRecord.probability);
    expect(fromPage.tier).toBe(fromRecord.tier);
    expect(fromPage.reasons.find((reason) => reason.label === 'Annual revenue')?.value).toBe('JPY 300,000,000 (USD 2,000,000.00)');
  });

  it('gives the model the same revenue from the page, read at the client’s rates, as from the record', async () => {
    const client = org('JPY');
    const api = await client.readRecord(ID, { fields: ['AnnualRevenue'] });
    const page = pageReadOf(yenLead, manifest, await client.corporateCurrencyRates?.());
    const failed = await withRecordFields(yenLead, manifest, { fetchRecord: async () => Promise.reject(new Error('no answer within 10 s')) }, page);
    const viaApi = await withRecordFields(yenLead, manifest, { fetchRecord: async () => api!.fields }, page);
    expect(failed.readFailed).toBe(true);
    expect(featurizeRecord(failed.fields, manifest.features, 'salesforce', NOW)[REVENUE]).toBe(featurizeRecord(viaApi.fields, manifest.features, 'salesforce', NOW)[REVENUE]);
  });

  it("reads the page's yen amount in the user's currency, as the page converts it, without the org's rates: not connected, or the rates not read", async () => {
    expect(await revenueScored(yenLead, deps())).toBe(2_000_000);
    const ratesFailing = { ...readFailing(org('JPY')), currencyRates: async () => Promise.reject(new Error('no answer within 10 s')) };
    expect(await revenueScored(yenLead, ratesFailing)).toBe(2_000_000);
    // A yen user's page shows the yen lead unconverted: read in the yen every lead on their pages is read in.
    expect(await revenueScored(pageShowing('JPY 300,000,000'), deps())).toBe(300_000_000);
  });

  it('leaves empty the amount of a lead whose currency has no rate, as the API empties it: the page does not fill it', async () => {
    const sekLead = pageShowing('SEK 300,000,000 (USD 28,000,000.00)');
    const client = org('SEK');
    expect((await client.readRecord(ID, { fields: ['AnnualRevenue'] }))?.fields.AnnualRevenue).toBeNull();
    expect(await revenueScored(sekLead, deps(client))).toBeNaN();
    expect(await revenueScored(sekLead, readFailing(client))).toBeNaN();
    // The rates not read, the record read: not the page's kronor; the page's dollars, as Salesforce converted them.
    expect(await revenueScored(sekLead, { ...deps(client), currencyRates: undefined })).toBe(28_000_000);
  });

  it('reads the rates alongside the record, not after it: a CRM that does not answer holds the badge once', async () => {
    const client = org('JPY');
    let recordAsked!: () => void;
    const asked = new Promise<void>((resolve) => (recordAsked = resolve));
    const waitingForRecord: ScoringDeps = {
      ...deps(client),
      currencyRates: async () => {
        await Promise.race([asked, new Promise((_, reject) => setTimeout(() => reject(new Error('the record was not asked for while the rates were read')), 1_000))]);
        return (await client.corporateCurrencyRates?.()) ?? null;
      },
      fetchRecord: async () => {
        recordAsked();
        throw new Error('no answer within 10 s');
      },
    };
    expect(await revenueScored(yenLead, waitingForRecord)).toBe(2_000_000);
  });
});

describe('amounts the API hands on as the record holds them', () => {
  it("reads a single-currency org's amount as it did, connected or not", async () => {
    const dollars = pageShowing('$2,000,000.00');
    const client = org(null);
    expect(await client.corporateCurrencyRates?.()).toBeNull();
    for (const scoring of [deps(client), readFailing(client), deps()]) expect(await revenueScored(dollars, scoring)).toBe(2_000_000);
    // A code on a single-currency org's page: its API converts nothing, so the page's amount is the record's.
    expect(await revenueScored(pageShowing('CHF 2,000,000.00'), readFailing(client))).toBe(2_000_000);
  });

  it("reads a HubSpot page's amount as written: HubSpot converts no amount", async () => {
    const request = { crm: 'hubspot' as const, recordId: '12345', fields: { annualrevenue: 'EUR 2,500,000.00' }, locale: 'en-US' };
    const { fields } = await scoredFields(manifest, request, deps());
    expect(featurizeRecord(fields, manifest.features, 'hubspot', NOW)[REVENUE]).toBe(2_500_000);
  });
});
