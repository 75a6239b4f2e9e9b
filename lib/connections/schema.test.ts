import { expect, it } from 'vitest';
import { ConnectionSchema, SalesforceHostSchema, myDomainHostOf, type Connection } from './schema';

it.each([
  ['https://acme.lightning.force.com/lightning/o/Lead/home', 'acme.my.salesforce.com'],
  ['https://acme--uat.sandbox.lightning.force.com/lightning/page/home', 'acme--uat.sandbox.my.salesforce.com'],
  ['https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home', 'acme.my.salesforce.com'],
  ['acme--uat.sandbox.my.salesforce-setup.com', 'acme--uat.sandbox.my.salesforce.com'],
  [' HTTPS://ACME.MY.SALESFORCE.COM/ ', 'acme.my.salesforce.com'],
  ['http://acme.my.salesforce.com', 'acme.my.salesforce.com'],
  ['acme.my.salesforce.com:443', 'acme.my.salesforce.com'],
  ['acme.my.salesforce.com.', 'acme.my.salesforce.com'],
  ['https://acme.my.salesforce.com?startURL=x', 'acme.my.salesforce.com'],
])('takes %j, pasted from the address bar, as the org\'s My Domain host %s', (typed, host) => {
  expect(myDomainHostOf(typed)).toBe(host);
  expect(SalesforceHostSchema.safeParse(host).success).toBe(true);
});

it.each(['login.salesforce.com', 'https://acme.salesforce.com/', 'acme.my.salesforce.com.evil.example', 'acme.lightning.force.com.evil.example'])('leaves %j to be refused: it names no My Domain', (typed) => {
  expect(SalesforceHostSchema.safeParse(myDomainHostOf(typed)).success).toBe(false);
});

it('reads a stored HubSpot connection with or without the host of its portal’s pages, dropping one LeadLens runs on no page of', () => {
  const connection = (account: Record<string, unknown>) =>
    ConnectionSchema.parse({ crm: 'hubspot', apiVersion: 'v3', auth: { kind: 'token', token: 'pat-na1-0123456789' }, timeoutSeconds: 30, account });
  const portal = { id: '777001', name: 'HubSpot portal 777001' };
  const accountOf = (stored: Connection) => (stored.crm === 'hubspot' ? stored.account : undefined);
  expect(accountOf(connection({ ...portal, uiDomain: 'app-ap1.hubspot.com' }))).toEqual({ ...portal, uiDomain: 'app-ap1.hubspot.com' });
  // Stored by a LeadLens that kept no host, or one a later LeadLens no longer runs on: the connection stays.
  expect(accountOf(connection(portal))).toEqual(portal);
  expect(accountOf(connection({ ...portal, uiDomain: 'app-eu9.hubspot.com' }))).toEqual(portal);
});
