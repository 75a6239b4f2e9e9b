// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
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
  it('reads each visible contact row, ids from the record links (both URL forms), a contact listed twice in each of its rows', () => {
    const doc = loadPage('hubspot-list.html');
    const rows = hubspot.readListRows(doc);
    expect(rowsOf(rows)).toEqual([
      { recordId: '100001', name: 'Ada Lovelace', cell: 'td' },
      { recordId: '100002', name: 'Grace Hopper', cell: 'td' },
      { recordId: '100001', name: 'Ada Lovelace', cell: 'td' },
    ]);
    expect(rows[2].anchor).not.toBe(rows[0].anchor);
  });

  it('ignores a table in a hidden tab', () => {
    const doc = loadPage('hubspot-list.html');
    const rows = hubspot.readListRows(doc);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.anchor.closest('[hidden]')).toBeNull();
  });

  const contactRow = (id: string, name: string) => `<tr><td><a href="/contacts/4242424/record/0-1/${id}">${name}</a></td></tr>`;
  const contactsPage = () =>
    parsePage(`<html><head><base href="https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list"></head><body>
      <div id="app">
        <div hidden aria-hidden="true"><table data-test-id="contacts-table"><tbody>${contactRow('999999', 'Hidden Contact')}</tbody></table></div>
        <table id="list" data-test-id="contacts-table"><tbody>${contactRow('1', 'Lead 1')}${contactRow('2', 'Lead 2')}${contactRow('3', 'Lead 3')}</tbody></table>
      </div>
    </body></html>`);
  const listRows = [
    { recordId: '1', name: 'Lead 1', cell: 'td' },
    { recordId: '2', name: 'Lead 2', cell: 'td' },
    { recordId: '3', name: 'Lead 3', cell: 'td' },
  ];

  it.each([
    ['a role="dialog"', (table: string) => `<div role="dialog">${table}</div>`],
    ['an aria-modal element', (table: string) => `<div aria-modal="true">${table}</div>`],
    ['a <dialog>', (table: string) => `<dialog open>${table}</dialog>`],
  ])('keeps reading the list while %s over it aria-hides the app, never the contacts in the dialog', (_, dialog) => {
    const doc = contactsPage();
    expect(rowsOf(hubspot.readListRows(doc))).toEqual(listRows);
    doc.getElementById('app')!.setAttribute('aria-hidden', 'true');
    doc.body.insertAdjacentHTML('beforeend', dialog(`<table><tbody>${contactRow('77', 'Other contact')}</tbody></table>`));
    const rows = hubspot.readListRows(doc);
    expect(rowsOf(rows)).toEqual(listRows);
    // The list on screen, not the hidden tab the dialog's aria-hidden no longer tells apart.
    for (const row of rows) expect(row.anchor.closest('[hidden]')).toBeNull();
  });

  it('reads no list hidden from assistive technology when no dialog explains it (a tab panel)', () => {
    const doc = contactsPage();
    doc.getElementById('app')!.setAttribute('aria-hidden', 'true');
    expect(hubspot.readListRows(doc)).toEqual([]);
  });

  it('finds the list behind a dialog the page renders before it, when only the fallback selector matches', () => {
    const doc = contactsPage();
    doc.getElementById('list')!.removeAttribute('data-test-id');
    doc.getElementById('app')!.setAttribute('aria-hidden', 'true');
    doc.body.insertAdjacentHTML('afterbegin', `<div role="dialog" aria-modal="true"><table><tbody>${contactRow('77', 'Other contact')}</tbody></table></div>`);
    expect(rowsOf(hubspot.readListRows(doc))).toEqual(listRows);
  });

  it('looks for a dialog around the list once per read, not once per row: a long list does not walk the page per row', () => {
    const dialogChecksAboveList = (rowCount: number) => {
      const rows = Array.from({ length: rowCount }, (_, i) => contactRow(String(i + 1), `Lead ${i + 1}`)).join('');
      const doc = parsePage(`<html><head><base href="https://app.hubspot.com/contacts/4242424/objects/0-1/views/all/list"></head><body>
        <div id="app"><table data-test-id="contacts-table"><tbody>${rows}</tbody></table></div></body></html>`);
      const app = doc.getElementById('app')!;
      const matches = vi.spyOn(app, 'matches');
      expect(hubspot.readListRows(doc)).toHaveLength(rowCount);
      return matches.mock.calls.filter(([selector]) => selector.includes('dialog') || selector.includes('aria-modal')).length;
    };
    const forTwoRows = dialogChecksAboveList(2);
    expect(forTwoRows).toBeGreaterThan(0); // the list's own check
    expect(dialogChecksAboveList(40)).toBe(forTwoRows);
  });

  it('skips a hover card open inside the list, with its own contacts', () => {
    const doc = contactsPage();
    const firstRow = doc.querySelector('#list tr')!;
    firstRow.insertAdjacentHTML(
      'afterbegin',
      `<td>Acme <div role="dialog"><table><tbody>${contactRow('77', 'Other contact')}</tbody></table></div></td>`,
    );
    const rows = hubspot.readListRows(doc);
    expect(rowsOf(rows)).toEqual(listRows);
    for (const row of rows) expect(row.anchor.closest('[role="dialog"]')).toBeNull();
  });
});

describe('Salesforce list view rows under a dialog', () => {
  it('still reads the active view only while a modal aria-hides the page', () => {
    const doc = loadPage('salesforce-list.html');
    const before = rowsOf(salesforce.readListRows(doc));
    expect(before).toHaveLength(3);
    for (const child of Array.from(doc.body.children)) child.setAttribute('aria-hidden', 'true');
    doc.body.insertAdjacentHTML(
      'beforeend',
      '<div class="uiModal" role="dialog" aria-modal="true"><table role="grid"><tbody><tr><th><a href="/lightning/r/Lead/00Q5e00000ZzZzZEAV/view">Other lead</a></th></tr></tbody></table></div>',
    );
    const rows = salesforce.readListRows(doc);
    expect(rowsOf(rows)).toEqual(before);
    for (const row of rows) expect(row.anchor.closest('.active')).not.toBeNull();
  });
});
