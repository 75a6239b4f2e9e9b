// @vitest-environment happy-dom
/**
 * The zero-width joiners (U+200C ZWNJ, U+200D ZWJ) are part of the text a CRM page shows: Persian
 * writes words with them (نیک‌نام, نرم‌افزار) and emoji sequences are joined by them (👨‍👩‍👧). The
 * page readers keep them, as the CRM's API sends them, so a value read from the page is shown,
 * featurized and compared as the API's value for the same field.
 */
import { describe, expect, it } from 'vitest';
import { parsePage } from '../../test/fixtures/pages/load.ts';
import manifestJson from '../../models/manifest.json';
import { convertedAlready, convertedRuleOf, pageReadOf } from '../background/score-lead';
import { lifecycleOrder, type LifecycleStage } from './hubspot-lifecycle';
import { describeFeatureValue, featureLevel, featurizeRecord, type RawRecord } from '../ml/featurize';
import { parseManifest } from '../ml/manifest';
import { hubspot } from './hubspot.ts';
import { salesforce } from './salesforce.ts';

const ZWNJ = '\u200C';
const ZWJ = '\u200D';
/** A Persian name with a ZWNJ inside a word, then a family emoji of three people joined by ZWJs. */
const NAME = `سارا نیک${ZWNJ}نام 👨${ZWJ}👩${ZWJ}👧`;
/** "Software manager": نرم‌افزار (software) is one word with a ZWNJ in it. */
const TITLE = `مدیر نرم${ZWNJ}افزار`;
const INDUSTRY = `نرم${ZWNJ}افزار`;

const bundled = parseManifest(manifestJson);
if (!bundled.ok) throw new Error(bundled.error);
const manifest = bundled.manifest;

const salesforceField = (name: string, value: string) =>
  `<records-record-layout-item><div data-target-selection-name="sfdc:RecordField.Lead.${name}">
    <span class="test-id__field-label">${name}</span><span class="test-id__field-value">${value}</span>
  </div></records-record-layout-item>`;

/** A Salesforce lead page showing NAME in its header and TITLE, INDUSTRY and a company with a zero-width space. */
const salesforceLeadPage = () =>
  parsePage(`<!doctype html><title>${NAME} | سرنخ | Salesforce</title><body><div class="windowViewMode-normal active">
    <div class="slds-page-header__title"><lightning-formatted-name>${NAME}</lightning-formatted-name></div>
    ${salesforceField('Title', TITLE)}${salesforceField('Industry', INDUSTRY)}${salesforceField('Company', 'Acme\u200BSoft')}
  </div></body>`);

describe('CRM page readers keep the zero-width joiners', () => {
  it("reads a Salesforce lead's name and field values with their ZWNJ and ZWJ, still without a zero-width space", () => {
    const doc = salesforceLeadPage();
    expect(salesforce.readRecordName(doc)).toBe(NAME);
    expect(salesforce.readRecordFields(doc)).toEqual({ Title: TITLE, Industry: INDUSTRY, Company: 'AcmeSoft' });
    // Without a header, the name comes from the browser tab's title: with its joiners too.
    doc.querySelector('.slds-page-header__title')!.remove();
    expect(salesforce.readRecordName(doc)).toBe(NAME);
  });

  it("reads a HubSpot contact's name and property values with their joiners", () => {
    const doc = parsePage(`<!doctype html><body><div data-selenium-test="contact-highlight-details">
        <h2 data-selenium-test="highlightTitle">${NAME}</h2></div>
      <div data-selenium-test="property-input-jobtitle"><label data-selenium-test="property-label">Job Title</label>
        <span data-selenium-test="property-value">${TITLE}</span></div></body>`);
    expect(hubspot.readRecordName(doc)).toBe(NAME);
    expect(hubspot.readRecordFields(doc)).toEqual({ jobtitle: TITLE });
  });

  it("reads a list row's name with its ZWJ, which the row's badge names the lead by to a screen reader", () => {
    const woman = `ليلى عبد الله 👩🏽${ZWJ}💼`;
    const doc = parsePage(`<html><head><base href="https://acme.lightning.force.com/lightning/o/Lead/list"></head><body><table role="grid"><tbody>
      <tr data-row-key-value="00Q5e00000AbCdEEAV"><th scope="row"><a data-recordid="00Q5e00000AbCdEEAV" href="/lightning/r/Lead/00Q5e00000AbCdEEAV/view">${woman}</a></th></tr>
    </tbody></table></body></html>`);
    expect(salesforce.readListRows(doc).map((row) => row.name)).toEqual([woman]);
  });
});

describe("a value with joiners read from the page is the API's value", () => {
  it('featurizes and is worded as the same value read from the API: one categorical level, not two', () => {
    const doc = salesforceLeadPage();
    const request = { crm: 'salesforce' as const, recordId: '00Q5e00000AbCdEEAV', fields: salesforce.readRecordFields(doc), locale: 'fa-IR' };
    const fromPage = pageReadOf(request, manifest).read;
    const fromApi: RawRecord = { Title: TITLE, Industry: INDUSTRY, Company: 'AcmeSoft' };
    const now = new Date('2026-11-10T08:14:00Z');
    for (const key of ['industry', 'title_seniority']) {
      const feature = manifest.features.find((f) => f.key === key)!;
      expect([key, featureLevel(fromPage, feature, 'salesforce', now)]).toEqual([key, featureLevel(fromApi, feature, 'salesforce', now)]);
      expect([key, describeFeatureValue(fromPage, feature, 'salesforce', now)]).toEqual([key, describeFeatureValue(fromApi, feature, 'salesforce', now)]);
    }
    expect(featureLevel(fromPage, manifest.features.find((f) => f.key === 'industry')!, 'salesforce', now)).toBe(INDUSTRY);
    expect(featurizeRecord(fromPage, manifest.features, 'salesforce', now)).toEqual(featurizeRecord(fromApi, manifest.features, 'salesforce', now));
  });

  it("matches the lifecycle stage a HubSpot page shows with the stage label the portal's API gave, to tell a contact converted", () => {
    // A portal's own stage after opportunity, labelled "contract closed" (بسته‌شده: one word with a ZWNJ).
    const closed = '7654321';
    const closedLabel = `قرارداد بسته${ZWNJ}شده`;
    const stages: LifecycleStage[] = [
      { value: 'lead', label: 'Lead' },
      { value: 'opportunity', label: 'Opportunity' },
      { value: closed, label: closedLabel },
      { value: 'customer', label: 'Customer' },
    ];
    expect(lifecycleOrder(stages.map(({ value }) => value))).toContain(closed);
    const doc = parsePage(`<!doctype html><body><div data-selenium-test="property-input-lifecyclestage">
      <label data-selenium-test="property-label">Lifecycle Stage</label><span data-selenium-test="property-value">${closedLabel}</span></div></body>`);
    const fields = hubspot.readRecordFields(doc);
    // Past opportunity in the portal's order: converted, as a sync stores the contact.
    expect(convertedAlready(convertedRuleOf(manifest, fields, 'hubspot'), fields, 'hubspot', undefined, stages)).toEqual({ field: 'Lifecycle stage', value: closedLabel });
  });
});
