// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { loadPage, parsePage } from '../../test/fixtures/pages/load.ts';
import { hubspot } from './hubspot.ts';
import { salesforce } from './salesforce.ts';

const rowsOf = (rows: ReturnType<typeof salesforce.readListRows>) =>
  rows.map(({ recordId, name, anchor }) => ({ recordId, name, cell: anchor.localName }));

describe('Salesforce list view rows', () => {
  it('reads the active view only, ids in 18-character form, names as text', () => {
    const doc = loadPage('salesforce-list.html');
    expect(rowsOf(salesforce.readListRows(doc))).toEqual([
      { recordId: '00Q5e00000AbCdEEAV', name: 'Ada Lovelace', cell: 'th' },
      { recordId: '00Q5e00000AbCdFEAV', name: 'Grace Hopper', cell: 'th' },
      { recordId: '00Q000000000XSSAAA', name: '<img src=x onerror=alert(1)>', cell: 'th' },
    ]);
  });

  it('reads rows from the active view only, never from a page left in the DOM', () => {
    const doc = loadPage('salesforce-list.html');
    for (const row of salesforce.readListRows(doc)) expect(row.anchor.closest('.active')).not.toBeNull();
  });

  it('puts the badge in the cell, outside the link, so a click does not navigate', () => {
    const doc = loadPage('salesforce-list.html');
    for (const row of salesforce.readListRows(doc)) expect(row.anchor.closest('a')).toBeNull();
  });

  it('puts the badge beside the row’s own lead, not a record another column links first', () => {
    const referrer = (id: string) => `<td><a data-recordid="${id}" href="/lightning/r/Contact/${id}/view">Jane Referrer</a></td>`;
    const doc = parsePage(`<html><head><base href="https://acme.lightning.force.com/lightning/o/Lead/list"></head><body><table role="grid"><tbody>
      <tr data-row-key-value="00Q5e00000AbCdEEAV">${referrer('0035e00000XyZaBAAV')}<th scope="row"><a data-recordid="00Q5e00000AbCdEEAV" href="/lightning/r/Lead/00Q5e00000AbCdEEAV/view">Ada Lovelace</a></th></tr>
      <tr>${referrer('0035e00000XyZaCAAV')}<th scope="row"><a href="/lightning/r/Lead/00Q5e00000AbCdF/view">Grace Hopper</a></th></tr>
    </tbody></table></body></html>`);
    expect(rowsOf(salesforce.readListRows(doc))).toEqual([
      { recordId: '00Q5e00000AbCdEEAV', name: 'Ada Lovelace', cell: 'th' },
      { recordId: '00Q5e00000AbCdFEAV', name: 'Grace Hopper', cell: 'th' },
    ]);
  });

  it('finds no rows on a page without a list', () => {
    expect(salesforce.readListRows(loadPage('salesforce-record.html'))).toEqual([]);
    expect(salesforce.readListRows(parsePage('<html><body><p>Home</p></body></html>'))).toEqual([]);
  });
});

describe('HubSpot contacts index rows', () => {
  it('reads visible contact rows once each, ids from the record links (both URL forms)', () => {
    const doc = loadPage('hubspot-list.html');
    expect(rowsOf(hubspot.readListRows(doc))).toEqual([
      { recordId: '100001', name: 'Ada Lovelace', cell: 'td' },
      { recordId: '100002', name: 'Grace Hopper', cell: 'td' },
    ]);
  });

  it('ignores a table in a hidden tab', () => {
    const doc = loadPage('hubspot-list.html');
    const rows = hubspot.readListRows(doc);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.anchor.closest('[hidden]')).toBeNull();
  });
});
