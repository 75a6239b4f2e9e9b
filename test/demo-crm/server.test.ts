import { request as httpsRequest } from 'node:https';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEATURE_SPECS, DEMO_OWNERS, generateDemoLeads, SPECIAL_LEAD_IDS, XSS_PAYLOAD, type DemoLead } from '../../lib/crm/demo-data';
import { ARCHIVED_DEMO_OWNERS, SEARCH_RESULT_CAP } from './hubspot-api';
import { defaultBehaviour } from './behaviour';
import { DEMO_SALESFORCE_ADMIN, DEMO_SALESFORCE_USERS, demoSessionIdAs } from './salesforce-api';
import { DEMO_HOSTS, createDemoCrm, createDemoCrmHandler, startDemoCrm, type DemoCrm } from './server';

const SF_UI = DEMO_HOSTS.salesforceUi;
const SF_API = DEMO_HOSTS.salesforceApi;
const HS_UI = DEMO_HOSTS.hubspotUi;
const HS_API = DEMO_HOSTS.hubspotApi;
const AUTH = { authorization: 'Bearer test-token' };

let crm: DemoCrm;
let regular: DemoLead;

beforeAll(async () => {
  crm = await startDemoCrm({ port: 0, count: 5000 });
  regular = crm.leads.find((l) => l.salesforce.AnnualRevenue !== null && l.salesforce.NumberOfEmployees !== null && l.salesforce.LastActivityDate !== null && l.hubspot.hs_analytics_num_visits !== null && l.hubspot.phone === null)!;
});
afterAll(() => crm.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

/** HTTPS to the demo CRM with a chosen Host header, as Chromium's host resolver sends it. */
function call(host: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: crm.port,
        path,
        method: options.method ?? 'GET',
        servername: host,
        rejectUnauthorized: false,
        headers: { host, ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function parseHtml(html: string): Document {
  const window = new Window({ url: 'https://example.invalid/' });
  window.document.write(html.replace(/<script\b[^>]*><\/script>/g, '')); // parse only; never load scripts
  return window.document as unknown as Document;
}

const textOf = (doc: Document, selector: string): string | undefined => doc.querySelector(selector)?.textContent ?? undefined;

// ─── Salesforce Lightning UI ────────────────────────────────────────────────────────────

describe('Salesforce Lightning pages', () => {
  const recordPath = (id: string) => `/lightning/r/Lead/${id}/view`;

  it('links / to the list, and the list to 50 records per page', async () => {
    const home = parseHtml((await call(SF_UI, '/')).body);
    expect(home.querySelector('a[href="/lightning/o/Lead/list"]')).not.toBeNull();

    const first = parseHtml((await call(SF_UI, '/lightning/o/Lead/list')).body);
    const links = [...first.querySelectorAll('a[href*="/lightning/r/Lead/"]')].map((a) => a.getAttribute('href'));
    expect(links).toHaveLength(50);
    expect(first.querySelector('a[href="/lightning/o/Lead/list?page=2"]')).not.toBeNull();
    const second = parseHtml((await call(SF_UI, '/lightning/o/Lead/list?page=2')).body);
    const secondLinks = [...second.querySelectorAll('a[href*="/lightning/r/Lead/"]')].map((a) => a.getAttribute('href'));
    expect(secondLinks[0]).toBe(recordPath(crm.leads[50].salesforceId));
  });

  it('renders a record in the active view with its fields, in the display formats of PAGES.md', async () => {
    const reply = await call(SF_UI, recordPath(regular.salesforceId));
    expect(reply.status).toBe(200);
    const doc = parseHtml(reply.body);
    const view = doc.querySelector('div.oneCenterStage > div.windowViewMode-normal.oneContent.active')!;
    expect(view).not.toBeNull();
    expect(textOf(view as unknown as Document, '.slds-page-header__title lightning-formatted-name')).toBe(regular.salesforce.Name);
    expect(doc.querySelector('.slds-page-header__controls .slds-button-group-list')).not.toBeNull();
    expect(doc.title).toBe(`${regular.salesforce.Name} | Lead | Salesforce`);

    const value = (field: string) => textOf(doc, `records-record-layout-item [data-target-selection-name="sfdc:RecordField.Lead.${field}"] .test-id__field-value`);
    const label = (field: string) => textOf(doc, `[data-target-selection-name="sfdc:RecordField.Lead.${field}"] .test-id__field-label`);
    expect(label('LeadSource')).toBe('Lead Source');
    expect(value('LeadSource')).toBe(regular.salesforce.LeadSource);
    expect(value('AnnualRevenue')).toBe(`$${regular.salesforce.AnnualRevenue!.toLocaleString('en-US')}`);
    expect(value('NumberOfEmployees')).toBe(regular.salesforce.NumberOfEmployees!.toLocaleString('en-US'));
    expect(value('CreatedDate')).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2} (AM|PM)$/);
    const [y, m, d] = regular.salesforce.LastActivityDate!.split('-').map(Number);
    expect(value('LastActivityDate')).toBe(`${m}/${d}/${y}`);
    expect(value('Phone')).toBe('');
    const optOut = doc.querySelector('[data-target-selection-name="sfdc:RecordField.Lead.HasOptedOutOfEmail"] .test-id__field-value input[type="checkbox"]');
    expect(optOut?.hasAttribute('disabled')).toBe(true);
    expect(optOut?.hasAttribute('checked')).toBe(regular.salesforce.HasOptedOutOfEmail);
    expect(view.querySelectorAll('a[href*="/lightning/r/Lead/"]').length).toBeGreaterThanOrEqual(2); // next + similar
  });

  it('accepts the 15-character form of an Id', async () => {
    expect((await call(SF_UI, recordPath(regular.salesforceId.slice(0, 15)))).status).toBe(200);
  });

  it('shows the special XSS lead as text', async () => {
    const reply = await call(SF_UI, recordPath(SPECIAL_LEAD_IDS.xss.salesforce));
    expect(reply.body).not.toContain(XSS_PAYLOAD);
    const doc = parseHtml(reply.body);
    expect(doc.querySelector('img')).toBeNull();
    expect(textOf(doc, '[data-target-selection-name="sfdc:RecordField.Lead.Title"] .test-id__field-value')).toBe(XSS_PAYLOAD);
    expect(textOf(doc, '[data-target-selection-name="sfdc:RecordField.Lead.Company"] .test-id__field-value')).toBe(XSS_PAYLOAD);
  });

  it('shows the special no-details lead with a header and no fields', async () => {
    const doc = parseHtml((await call(SF_UI, recordPath(SPECIAL_LEAD_IDS.noDetails.salesforce))).body);
    expect(textOf(doc, '.slds-page-header__title')).toBe('Empty Details');
    expect(doc.querySelectorAll('[data-target-selection-name]')).toHaveLength(0);
  });

  it('answers 404 for unknown leads and paths', async () => {
    expect((await call(SF_UI, recordPath('00Q5g00000zzzzzAAA'))).status).toBe(404);
    expect((await call(SF_UI, '/lightning/o/Account/list')).status).toBe(404);
  });

  it('serves the views the page script navigates with, and the script itself', async () => {
    const view = await call(SF_UI, `/demo/view.json?path=${encodeURIComponent(recordPath(regular.salesforceId))}`);
    expect(view.status).toBe(200);
    expect(view.json()).toMatchObject({ title: `${regular.salesforce.Name} | Lead | Salesforce`, view: { tag: 'div' } });
    expect((await call(SF_UI, `/demo/view.json?path=${encodeURIComponent(recordPath('00Q5g00000zzzzzAAA'))}`)).status).toBe(404);
    expect((await call(SF_UI, '/demo/view.json?path=https://elsewhere.example/')).status).toBe(400);
    const script = await call(SF_UI, '/demo/client.js');
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.body).toContain('installDemoNavigation(window)');
    expect(script.body).not.toMatch(/\bimport\b/);
  });
});

// ─── HubSpot UI ─────────────────────────────────────────────────────────────────────────

describe('HubSpot pages', () => {
  const recordPath = (id: string) => `/contacts/4242424/record/0-1/${id}`;
  const property = (doc: Document, name: string) => textOf(doc, `[data-selenium-test="property-input-${name}"] [data-selenium-test="property-value"]`);

  it('links / to the index, and the index to 50 records per page', async () => {
    const home = parseHtml((await call(HS_UI, '/')).body);
    expect(home.querySelector('a[href="/contacts/4242424/objects/0-1/views/all/list"]')).not.toBeNull();
    const index = parseHtml((await call(HS_UI, '/contacts/4242424/objects/0-1/views/all/list')).body);
    expect(index.querySelectorAll('a[href*="/record/0-1/"]')).toHaveLength(50);
  });

  it('renders a record on both URL forms, with properties in the display formats of PAGES.md', async () => {
    for (const path of [recordPath(regular.hubspotId), `/contacts/4242424/contact/${regular.hubspotId}`]) {
      const reply = await call(HS_UI, path);
      expect(reply.status).toBe(200);
      const doc = parseHtml(reply.body);
      expect(textOf(doc, '[data-test-id="left-sidebar"] [data-selenium-test="contact-highlight-details"] [data-selenium-test="highlightTitle"]')).toBe(
        `${regular.hubspot.firstname} ${regular.hubspot.lastname}`,
      );
      expect(doc.querySelector('[data-test-id="middle-pane"]')).not.toBeNull();
      expect(doc.querySelector('[data-test-id="records-right-sidebar"] a[href*="/record/0-1/"]')).not.toBeNull();
      expect(textOf(doc, '[data-selenium-test="property-input-jobtitle"] [data-selenium-test="property-label"]')).toBe('Job title');
      expect(property(doc, 'phone')).toBe('--');
      expect(property(doc, 'hs_email_optout')).toMatch(/^(Yes|No)$/);
      expect(property(doc, 'createdate')).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/);
      expect(property(doc, 'hs_analytics_num_visits')).toBe(Number(regular.hubspot.hs_analytics_num_visits).toLocaleString('en-US'));
    }
  });

  it('makes new class names on every load', async () => {
    const classOf = async () => parseHtml((await call(HS_UI, recordPath(regular.hubspotId))).body).querySelector('[data-selenium-test="highlightTitle"]')!.className;
    expect(await classOf()).not.toBe(await classOf());
  });

  it('shows the special XSS lead as text, and the no-details lead without properties', async () => {
    const xss = await call(HS_UI, recordPath(SPECIAL_LEAD_IDS.xss.hubspot));
    expect(xss.body).not.toContain(XSS_PAYLOAD);
    const doc = parseHtml(xss.body);
    expect(doc.querySelector('img')).toBeNull();
    expect(property(doc, 'jobtitle')).toBe(XSS_PAYLOAD);
    expect(property(doc, 'company')).toBe(XSS_PAYLOAD);

    const empty = parseHtml((await call(HS_UI, recordPath(SPECIAL_LEAD_IDS.noDetails.hubspot))).body);
    expect(textOf(empty, '[data-selenium-test="highlightTitle"]')).toBe('Empty Details');
    expect(empty.querySelectorAll('[data-selenium-test^="property-input-"]')).toHaveLength(0);
  });

  it('answers 404 for unknown contacts and portals', async () => {
    expect((await call(HS_UI, recordPath('123'))).status).toBe(404);
    expect((await call(HS_UI, `/contacts/1111/record/0-1/${regular.hubspotId}`)).status).toBe(404);
  });

  it('never points at another host', async () => {
    for (const [host, path] of [[HS_UI, recordPath(regular.hubspotId)], [SF_UI, `/lightning/r/Lead/${regular.salesforceId}/view`], [SF_UI, '/lightning/o/Lead/list']]) {
      const doc = parseHtml((await call(host, path)).body);
      for (const element of doc.querySelectorAll('[href], [src]')) {
        const target = element.getAttribute('href') ?? element.getAttribute('src') ?? '';
        expect(target.startsWith('/') || target === 'data:,', target).toBe(true); // data:, is the no-request favicon
      }
    }
  });
});

// ─── Salesforce REST ────────────────────────────────────────────────────────────────────

describe('Salesforce REST API', () => {
  const soql = (q: string, headers: Record<string, string> = {}) => call(SF_API, `/services/data/v66.0/query?q=${encodeURIComponent(q)}`, { headers: { ...AUTH, ...headers } });

  it('lists API versions without a session, and refuses everything else without one', async () => {
    const versions = (await call(SF_API, '/services/data/')).json<{ version: string; label: string }[]>();
    expect(versions.find((v) => v.version === '66.0')?.label).toBe("Spring '26");
    const reply = await call(SF_API, `/services/data/v66.0/sobjects/Lead/${regular.salesforceId}`);
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('lists the resources of a version with the identity URL of the session’s user, the admin’s unless a "Log in as" session names another, whose User record it reads', async () => {
    const resources = (await call(SF_API, '/services/data/v66.0/', { headers: AUTH })).json<Record<string, string>>();
    expect(resources).toMatchObject({ sobjects: '/services/data/v66.0/sobjects', query: '/services/data/v66.0/query' });
    expect(resources.identity).toBe(`https://${SF_API}/id/00D5g000004DemoEAA/${DEMO_SALESFORCE_ADMIN.Id}`);
    const rep = DEMO_SALESFORCE_USERS[3];
    const asRep = (await call(SF_API, '/services/data/v66.0', { headers: { authorization: `Bearer ${demoSessionIdAs(rep)}` } })).json<Record<string, string>>();
    expect(asRep.identity).toBe(`https://${SF_API}/id/00D5g000004DemoEAA/${rep.Id}`);
    expect((await call(SF_API, '/services/data/v66.0/')).status).toBe(401);

    const user = await call(SF_API, `/services/data/v66.0/sobjects/User/${rep.Id.slice(0, 15)}?fields=Id,Name,username`, { headers: AUTH });
    expect(user.json()).toEqual({ attributes: { type: 'User', url: `/services/data/v66.0/sobjects/User/${rep.Id}` }, Id: rep.Id, Name: rep.Name, Username: rep.Username });
    expect((await call(SF_API, `/services/data/v66.0/sobjects/User/${rep.Id}?fields=Email`, { headers: AUTH })).json()[0].errorCode).toBe('INVALID_FIELD');
    expect((await call(SF_API, '/services/data/v66.0/sobjects/User/005000000000000AAA', { headers: AUTH })).status).toBe(404);
  });

  it('returns a lead record, or its fields, or Salesforce’s 404', async () => {
    const reply = await call(SF_API, `/services/data/v66.0/sobjects/Lead/${regular.salesforceId}`, { headers: AUTH });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ attributes: { type: 'Lead', url: `/services/data/v66.0/sobjects/Lead/${regular.salesforceId}` }, ...regular.salesforce });
    const some = await call(SF_API, `/services/data/v66.0/sobjects/Lead/${regular.salesforceId}?fields=LeadSource,annualrevenue`, { headers: AUTH });
    expect(Object.keys(some.json())).toEqual(['attributes', 'Id', 'LeadSource', 'AnnualRevenue']);
    const missing = await call(SF_API, '/services/data/v66.0/sobjects/Lead/00Q5g00000zzzzzAAA', { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    expect((await call(SF_API, '/services/data/v66.0/sobjects/Lead/describe', { headers: AUTH })).json().fields.length).toBeGreaterThan(20);
  });

  it('pages a SOQL query to the end, returning every lead once, in order', async () => {
    let reply = (await soql('SELECT Id, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id')).json();
    expect(reply.totalSize).toBe(crm.leads.length);
    expect(reply.records).toHaveLength(2000);
    expect(reply.nextRecordsUrl).toMatch(/^\/services\/data\/v66\.0\/query\/01g\w{15}-2000$/);
    expect(reply.records[0]).toEqual({ attributes: { type: 'Lead', url: expect.stringContaining('/sobjects/Lead/') }, Id: expect.any(String), SystemModstamp: expect.any(String) });
    const records = [...reply.records];
    while (!reply.done) {
      reply = (await call(SF_API, reply.nextRecordsUrl, { headers: AUTH })).json();
      records.push(...reply.records);
    }
    expect(reply.nextRecordsUrl).toBeUndefined();
    expect(records.map((r) => r.Id).sort()).toEqual(crm.leads.map((l) => l.salesforceId).sort());
    const stamps = records.map((r) => r.SystemModstamp as string);
    expect(stamps).toEqual([...stamps].sort());
  });

  it('filters by SystemModstamp, limits, and honours the batch size option', async () => {
    const since = crm.leads[0].salesforce.SystemModstamp;
    const expected = crm.leads.filter((l) => Date.parse(l.salesforce.SystemModstamp) > Date.parse(since)).length;
    for (const literal of [since.replace('+0000', 'Z'), since, since.replace('+0000', '+00:00')]) {
      expect((await soql(`select Id from Lead where SystemModstamp > ${literal} order by SystemModstamp, Id`)).json().totalSize).toBe(expected);
    }
    const limited = (await soql('SELECT Id FROM Lead ORDER BY SystemModstamp DESC LIMIT 5')).json();
    expect(limited).toMatchObject({ totalSize: 5, done: true });
    const small = (await soql('SELECT Id FROM Lead', { 'sforce-query-options': 'batchSize=200' })).json();
    expect(small.records).toHaveLength(200);
    const byId = (await soql(`SELECT Name FROM Lead WHERE Id IN ('${regular.salesforceId}', '${SPECIAL_LEAD_IDS.xss.salesforce}')`)).json();
    expect(byId.records.map((r: { Name: string }) => r.Name).sort()).toEqual([regular.salesforce.Name, crm.leads.at(-2)!.salesforce.Name].sort());
  });

  it('reports bad queries as Salesforce does', async () => {
    const expectError = async (q: string, errorCode: string) => {
      const reply = await soql(q);
      expect(reply.status).toBe(400);
      expect(reply.json()[0].errorCode).toBe(errorCode);
    };
    await expectError('SELECT Id FROM', 'MALFORMED_QUERY');
    await expectError('SELECT Id FROM Lead WHERE', 'MALFORMED_QUERY');
    await expectError('SELECT Nope FROM Lead', 'INVALID_FIELD');
    await expectError('SELECT Id FROM Contact', 'INVALID_TYPE');
    expect((await call(SF_API, '/services/data/v66.0/query/01gD00000000000AAA-2000', { headers: AUTH })).json()[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
    expect((await call(SF_API, '/services/data/v12.0/sobjects/Lead/x', { headers: AUTH })).status).toBe(404);
  });
});

// ─── HubSpot REST ───────────────────────────────────────────────────────────────────────

describe('HubSpot REST API', () => {
  const search = (body: unknown, prefix = '/crm/v3/objects/contacts') => call(HS_API, `${prefix}/search`, { method: 'POST', headers: AUTH, body });

  it('refuses calls without a bearer token, in HubSpot’s error shape', async () => {
    const reply = await call(HS_API, `/crm/v3/objects/contacts/${regular.hubspotId}`);
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION', message: expect.any(String) });
  });

  it('says which portal a token belongs to (account details, both path styles), only with a token', async () => {
    expect((await call(HS_API, '/account-info/v3/details')).status).toBe(401);
    crm.behaviour.tokenPortals.set('pat-na1-other-portal', '777001');
    try {
      for (const version of ['v3', '2026-03']) {
        const own = await call(HS_API, `/account-info/${version}/details`, { headers: AUTH });
        expect(own.status).toBe(200);
        expect(own.json()).toMatchObject({ portalId: 4242424, accountType: 'STANDARD', uiDomain: 'app.hubspot.com' });
        const other = await call(HS_API, `/account-info/${version}/details`, { headers: { authorization: 'Bearer pat-na1-other-portal' } });
        expect(other.json().portalId).toBe(777001);
      }
    } finally {
      crm.behaviour.tokenPortals.clear();
    }
  });

  it('returns a contact with the asked-for properties as strings, on both path styles', async () => {
    for (const prefix of ['/crm/v3/objects/contacts', '/crm/objects/2026-03/contacts']) {
      const reply = await call(HS_API, `${prefix}/${regular.hubspotId}?properties=jobtitle,hs_analytics_num_visits,phone,nonexistent`, { headers: AUTH });
      expect(reply.status).toBe(200);
      expect(reply.json()).toEqual({
        id: regular.hubspotId,
        properties: {
          jobtitle: regular.hubspot.jobtitle,
          hs_analytics_num_visits: regular.hubspot.hs_analytics_num_visits,
          phone: null,
          createdate: regular.hubspot.createdate,
          lastmodifieddate: regular.hubspot.lastmodifieddate,
          hs_object_id: regular.hubspotId,
        },
        createdAt: regular.hubspot.createdate,
        updatedAt: regular.hubspot.hs_lastmodifieddate,
        archived: false,
      });
    }
    const missing = await call(HS_API, '/crm/v3/objects/contacts/1', { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
  });

  it('pages a search to the end, returning every contact once, sorted', async () => {
    const seen: string[] = [];
    const created: number[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const reply = (await search({ sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }], properties: ['createdate'], limit: 200, ...(after ? { after } : {}) }, '/crm/objects/2026-03/contacts')).json();
      expect(reply.total).toBe(crm.leads.length);
      for (const result of reply.results) {
        seen.push(result.id);
        created.push(Date.parse(result.properties.createdate));
      }
      after = reply.paging?.next?.after;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(Math.ceil(crm.leads.length / 200));
    expect(seen.sort()).toEqual(crm.leads.map((l) => l.hubspotId).sort());
    expect(created).toEqual([...created].sort((a, b) => a - b));
  });

  it('filters with GT/GTE/LT/LTE on dates (ISO or epoch ms) and EQ on strings', async () => {
    const cut = crm.leads[10].hubspot.lastmodifieddate!;
    const after = crm.leads.filter((l) => Date.parse(l.hubspot.lastmodifieddate!) > Date.parse(cut)).length;
    for (const value of [cut, String(Date.parse(cut))]) {
      const reply = (await search({ filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value }] }] })).json();
      expect(reply.total).toBe(after);
    }
    const gte = (await search({ filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: cut }] }] })).json().total;
    const lt = (await search({ filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'LT', value: cut }] }] })).json().total;
    const lte = (await search({ filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'LTE', value: cut }] }] })).json().total;
    expect(gte + lt).toBe(crm.leads.length);
    expect(lte - lt).toBe(gte - after);

    const organic = crm.leads.filter((l) => l.hubspot.hs_analytics_source === 'ORGANIC_SEARCH').length;
    const eq = (await search({ filterGroups: [{ filters: [{ propertyName: 'hs_analytics_source', operator: 'EQ', value: 'ORGANIC_SEARCH' }] }], limit: 1 })).json();
    expect(eq.total).toBe(organic);
    expect(eq.results).toHaveLength(1);
  });

  it('rejects limits above 200 and bad bodies', async () => {
    expect((await search({ limit: 201 })).status).toBe(400);
    expect((await search({ filterGroups: 'nope' })).json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('caps search results at 10,000 like the real API', () => {
    const handle = createDemoCrmHandler(generateDemoLeads({ count: SEARCH_RESULT_CAP + 50, now: new Date('2026-11-01T00:00:00Z') }));
    const post = (body: unknown) => {
      const url = new URL('https://api.hubapi.com/crm/v3/objects/contacts/search');
      const reply = handle({ method: 'POST', host: HS_API, url, headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: reply.status, json: JSON.parse(reply.body) };
    };
    const last = post({ limit: 200, after: String(SEARCH_RESULT_CAP - 200) });
    expect(last.json.total).toBe(SEARCH_RESULT_CAP + 50);
    expect(last.json.results).toHaveLength(200);
    expect(last.json.paging).toBeUndefined();
    expect(post({ limit: 200, after: String(SEARCH_RESULT_CAP) }).status).toBe(400);
  });

  it('batch-reads contacts, reporting the missing ones with 207', async () => {
    const body = { properties: ['email'], inputs: [{ id: regular.hubspotId }, { id: SPECIAL_LEAD_IDS.xss.hubspot }] };
    const reply = await call(HS_API, '/crm/v3/objects/contacts/batch/read', { method: 'POST', headers: AUTH, body });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ status: 'COMPLETE', startedAt: expect.any(String), completedAt: expect.any(String) });
    expect(reply.json().results.map((r: { id: string }) => r.id)).toEqual([regular.hubspotId, SPECIAL_LEAD_IDS.xss.hubspot]);
    const partial = await call(HS_API, '/crm/objects/2026-03/contacts/batch/read', { method: 'POST', headers: AUTH, body: { ...body, inputs: [...body.inputs, { id: '1' }] } });
    expect(partial.status).toBe(207);
    expect(partial.json()).toMatchObject({ numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['1'] } }] });
  });

  it('batch-reads an unknown contact as HubSpot does: 207, no results, its id in the errors', async () => {
    const reply = await call(HS_API, '/crm/v3/objects/contacts/batch/read', { method: 'POST', headers: AUTH, body: { properties: ['email'], inputs: [{ id: '1' }] } });
    expect(reply.status).toBe(207);
    expect(reply.json()).toMatchObject({ status: 'COMPLETE', results: [], numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['1'] } }] });
  });

  it('batch-reads the custom property values written by a batch update', async () => {
    const update = { inputs: [{ id: regular.hubspotId, properties: { leadlens_tier: 'Warm' } }] };
    expect((await call(HS_API, '/crm/v3/objects/contacts/batch/update', { method: 'POST', headers: AUTH, body: update })).status).toBe(200);
    const reply = await call(HS_API, '/crm/v3/objects/contacts/batch/read', { method: 'POST', headers: AUTH, body: { properties: ['leadlens_tier'], inputs: [{ id: regular.hubspotId }] } });
    expect(reply.json().results[0].properties.leadlens_tier).toBe('Warm');
  });

  it('lists active owners by default and archived ones only with archived=true, as HubSpot does', async () => {
    const list = async (query: string) => (await call(HS_API, `/crm/v3/owners?${query}`, { headers: AUTH })).json();
    const active = await list('limit=500');
    expect(active.results.map((owner: { id: string }) => owner.id)).toEqual(DEMO_OWNERS.map((owner) => owner.hubspotId));
    expect(active.results.every((owner: { archived: boolean }) => !owner.archived)).toBe(true);
    const archived = await list('limit=500&archived=true');
    expect(archived.results.map((owner: { id: string }) => owner.id)).toEqual(ARCHIVED_DEMO_OWNERS.map((owner) => owner.hubspotId));
    expect(archived.results.every((owner: { archived: boolean }) => owner.archived)).toBe(true);
    const firstPage = await list('limit=1&archived=true');
    expect(firstPage.paging.next.after).toBe('1');
    expect((await list(`limit=1&archived=true&after=${firstPage.paging.next.after}`)).results).toEqual([archived.results[1]]);
  });

  it('describes the contact properties, with option labels', async () => {
    const { results } = (await call(HS_API, '/crm/v3/properties/contacts', { headers: AUTH })).json();
    const source = results.find((p: { name: string }) => p.name === 'hs_analytics_source');
    expect(source.options).toContainEqual(expect.objectContaining({ value: 'ORGANIC_SEARCH', label: 'Organic Search' }));
  });

  it('marks the properties HubSpot calculates, and lists contacts with the asked-for ones, paging by `paging.next.after` as HubSpot does', async () => {
    const { results } = (await call(HS_API, '/crm/v3/properties/contacts', { headers: AUTH })).json();
    expect(results.filter((p: { calculated: boolean }) => p.calculated).map((p: { name: string }) => p.name)).toEqual(['num_conversion_events']);
    const list = async (query: string) => (await call(HS_API, `/crm/v3/objects/contacts?${query}`, { headers: AUTH })).json();
    const first = await list('limit=100&properties=num_conversion_events');
    expect(first.results).toHaveLength(100);
    const lead = crm.leads.find((l) => l.hubspotId === first.results[0].id)!;
    // HubSpot adds createdate, lastmodifieddate and hs_object_id to every contact.
    expect(first.results[0]).toEqual({
      id: lead.hubspotId,
      properties: { num_conversion_events: lead.hubspot.num_conversion_events, createdate: lead.hubspot.createdate, lastmodifieddate: lead.hubspot.lastmodifieddate, hs_object_id: lead.hubspotId },
      createdAt: lead.hubspot.createdate,
      updatedAt: lead.hubspot.lastmodifieddate,
      archived: false,
    });
    expect(first.paging).toEqual({ next: { after: '100', link: 'https://api.hubapi.com/crm/v3/objects/contacts?after=100' } });
    const second = await list(`limit=100&properties=num_conversion_events&after=${first.paging.next.after}`);
    expect(second.results[0].id).not.toBe(first.results[0].id);
    const last = await list(`limit=100&properties=num_conversion_events&after=${crm.leads.length - 30}`);
    expect(last.results).toHaveLength(30);
    expect(last.paging).toBeUndefined();
  });

  it("labels the sources as the default model's catalogue says HubSpot pages show them", async () => {
    const { results } = (await call(HS_API, '/crm/v3/properties/contacts', { headers: AUTH })).json();
    const source = results.find((p: { name: string }) => p.name === 'hs_analytics_source');
    const leadSource = DEMO_FEATURE_SPECS.find((spec) => spec.key === 'lead_source')!.derive;
    const catalogued = leadSource.kind === 'value' ? leadSource.optionLabels?.hubspot : undefined;
    expect(catalogued).toEqual(Object.fromEntries(source.options.map((option: { value: string; label: string }) => [option.value, option.label])));
  });
});

describe('a body not sent as JSON', () => {
  // LeadLens's client says that each body it sends is JSON (lib/crm/http.ts); both CRMs refuse one that does not.
  const leads = generateDemoLeads({ count: 10, seed: 3, now: new Date('2026-11-01T00:00:00Z') });
  const handle = createDemoCrmHandler(leads);
  const send = (method: string, host: string, path: string, body: unknown, contentType?: string) => {
    const headers = { ...AUTH, ...(contentType === undefined ? {} : { 'content-type': contentType }) };
    const reply = handle({ method, host, url: new URL(`https://${host}${path}`), headers, body: JSON.stringify(body) });
    return { status: reply.status, json: JSON.parse(reply.body) };
  };

  it('is refused by the Salesforce API with 415, in Salesforce’s error shape; JSON with a charset is taken', () => {
    const path = '/services/data/v67.0/composite/sobjects';
    const update = { allOrNone: false, records: [{ attributes: { type: 'Lead' }, id: leads[0].salesforceId, LeadLens_Tier__c: 'Hot' }] };
    expect(send('PATCH', SF_API, path, update)).toEqual({
      status: 415,
      json: [{ message: 'Content-Type header specified in HTTP request is not supported: (none)', errorCode: 'UNSUPPORTED_MEDIA_TYPE' }],
    });
    expect(send('PATCH', SF_API, path, update, 'text/plain;charset=UTF-8')).toEqual({
      status: 415,
      json: [{ message: 'Content-Type header specified in HTTP request is not supported: text/plain;charset=UTF-8', errorCode: 'UNSUPPORTED_MEDIA_TYPE' }],
    });
    expect(send('PATCH', SF_API, path, update, 'application/json; charset=UTF-8')).toMatchObject({ status: 200, json: [{ id: leads[0].salesforceId, success: true }] });
  });

  it('is refused by the HubSpot API with 415 on each POST, in HubSpot’s error shape; JSON with a charset is taken', () => {
    const posts = {
      '/crm/v3/objects/contacts/search': { limit: 1 },
      '/crm/v3/objects/contacts/batch/read': { inputs: [{ id: leads[0].hubspotId }] },
      '/crm/objects/2026-03/contacts/batch/update': { inputs: [{ id: leads[0].hubspotId, properties: { leadlens_tier: 'Hot' } }] },
    };
    for (const [path, body] of Object.entries(posts)) {
      expect(send('POST', HS_API, path, body)).toEqual({
        status: 415,
        json: { status: 'error', category: 'VALIDATION_ERROR', message: 'Unsupported Media Type: the request body must be sent as application/json, not without a Content-Type', correlationId: expect.any(String) },
      });
      expect(send('POST', HS_API, path, body, 'text/plain').json.message).toBe('Unsupported Media Type: the request body must be sent as application/json, not text/plain');
      expect(send('POST', HS_API, path, body, 'application/json;charset=utf-8').status).toBe(200);
    }
  });
});

describe('deleted records', () => {
  const NOW = Date.parse('2026-11-01T00:00:00Z');
  const DAY = 86_400_000;

  /** A demo CRM in process, its clock at NOW, and requests to it. */
  function deleting() {
    const behaviour = { ...defaultBehaviour(), now: () => NOW };
    const { handle, store } = createDemoCrm(generateDemoLeads({ count: 300, seed: 4, now: new Date(NOW) }), behaviour);
    const send = (method: string, host: string, path: string, body?: unknown) => {
      const reply = handle({ method, host, url: new URL(`https://${host}${path}`), headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body ?? null) });
      return { status: reply.status, json: JSON.parse(reply.body) };
    };
    return { store, get: (host: string, path: string) => send('GET', host, path), post: (host: string, path: string, body: unknown) => send('POST', host, path, body) };
  }
  const range = (start: number, end: number) => `/services/data/v67.0/sobjects/Lead/deleted/?${new URLSearchParams({ start: new Date(start).toISOString(), end: new Date(end).toISOString() })}`;

  it('Salesforce: a deleted Lead leaves queries and reads, and is listed by Get Deleted with when, to the minute covered', () => {
    const { store, get } = deleting();
    const [gone, earlier] = store.leads;
    store.deleteLead(earlier, NOW - 3 * DAY);
    store.deleteLead(gone, NOW - 90_500);
    expect(get(SF_API, `/services/data/v67.0/sobjects/Lead/${gone.salesforceId}`).status).toBe(404);
    const query = get(SF_API, `/services/data/v67.0/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`).json;
    expect(query.totalSize).toBe(298);
    expect(query.records.map((r: { Id: string }) => r.Id)).not.toContain(gone.salesforceId);
    // Seconds are ignored: the range is 2 days ago 00:00 to NOW + 30 s taken as NOW.
    const listed = get(SF_API, range(NOW - 2 * DAY + 45_000, NOW + 30_000));
    expect(listed).toEqual({
      status: 200,
      json: { deletedRecords: [{ id: gone.salesforceId, deletedDate: '2026-10-31T23:58:29.000+0000' }], earliestDateAvailable: '2026-10-17T00:00:00.000+0000', latestDateCovered: '2026-11-01T00:00:00.000+0000' },
    });
  });

  it('Salesforce: refuses a range of a minute or less, one starting more than 30 days ago, and one before the earliest date available', () => {
    const { get } = deleting();
    const refused = (start: number, end: number) => get(SF_API, range(start, end));
    expect(refused(NOW - 60_000, NOW + 59_000)).toMatchObject({ status: 400, json: [{ errorCode: 'INVALID_REPLICATION_DATE', message: expect.stringMatching(/more than one minute/) }] });
    expect(refused(NOW - 31 * DAY, NOW)).toMatchObject({ status: 400, json: [{ errorCode: 'INVALID_REPLICATION_DATE', message: expect.stringMatching(/30 days/) }] });
    expect(refused(NOW - 16 * DAY, NOW)).toMatchObject({ status: 400, json: [{ errorCode: 'INVALID_REPLICATION_DATE', message: expect.stringMatching(/earliest date available, 2026-10-17T00:00:00/) }] });
    expect(refused(NOW - 15 * DAY, NOW).status).toBe(200);
    expect(get(SF_API, '/services/data/v67.0/sobjects/Lead/deleted/?start=yesterday').status).toBe(400);
  });

  it('HubSpot: a deleted contact leaves search and reads, and is listed with archived=true, with archivedAt, for 90 days', () => {
    const { store, get } = deleting();
    const [gone, longAgo] = store.leads;
    store.deleteLead(longAgo, NOW - 91 * DAY);
    store.deleteLead(gone, NOW - DAY);
    expect(get(HS_API, `/crm/v3/objects/contacts/${gone.hubspotId}`).status).toBe(404);
    const live = get(HS_API, '/crm/v3/objects/contacts?limit=100&after=200').json;
    expect(live.results).toHaveLength(98);
    expect(live.paging).toBeUndefined();
    const archived = get(HS_API, '/crm/objects/2026-03/contacts?limit=100&archived=true&properties=hs_object_id').json;
    expect(archived).toEqual({ results: [{ id: gone.hubspotId, properties: expect.objectContaining({ hs_object_id: gone.hubspotId }), createdAt: expect.any(String), updatedAt: expect.any(String), archived: true, archivedAt: '2026-10-31T00:00:00.000Z' }] });
  });

  it('HubSpot: search and batch read leave out a contact deleted after an earlier search sorted the contacts', () => {
    const { store, post } = deleting();
    const search = () => post(HS_API, '/crm/v3/objects/contacts/search', { sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }], limit: 200 }).json;
    const first = search().results[0].id;
    store.deleteLead(store.leads.find((lead) => lead.hubspotId === first)!, NOW);
    const again = search();
    expect(again.total).toBe(299);
    expect(again.results.map((contact: { id: string }) => contact.id)).not.toContain(first);
    expect(post(HS_API, '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: first }] })).toMatchObject({ status: 207, json: { results: [], errors: [{ context: { ids: [first] } }] } });
  });
});

describe('routing', () => {
  it('refuses hosts it does not play', async () => {
    expect((await call('example.com', '/')).status).toBe(421);
  });
});
