/**
 * The pages' own navigation script (client.ts) in happy-dom, against the demo CRM's
 * handler called directly (no sockets): clicks navigate without reloads, Lightning keeps
 * earlier views hidden, HubSpot replaces in place, back works, text stays text.
 */
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateDemoLeads, specialDemoLeads, SPECIAL_LEAD_IDS, XSS_PAYLOAD } from '../../lib/crm/demo-data';
import { buildElement, installDemoNavigation } from './client';
import { DEMO_HOSTS, createDemoCrmHandler } from './server';

const now = new Date('2026-11-01T00:00:00Z');
const leads = [...generateDemoLeads({ count: 120, now }), ...specialDemoLeads(now)];
const handle = createDemoCrmHandler(leads);
const windows: Window[] = [];

afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

/** A page as the browser gets it, with the script installed and fetch going to the handler. */
function openPage(host: string, path: string): Window {
  const window = new Window({ url: `https://${host}${path}` });
  windows.push(window);
  const page = handle({ method: 'GET', host, url: new URL(window.location.href), headers: {}, body: '' });
  window.document.documentElement.innerHTML = page.body.replace(/<script\b[^>]*><\/script>/g, '').replace(/<!DOCTYPE html>/i, '');
  const fetchThroughHandler = async (input: string) => {
    const url = new URL(input, window.location.href);
    const reply = handle({ method: 'GET', host: url.hostname, url, headers: {}, body: '' });
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
  Object.defineProperty(window, 'fetch', { value: fetchThroughHandler, configurable: true });
  installDemoNavigation(window as unknown as globalThis.Window);
  return window;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('Salesforce client-side navigation', () => {
  const first = leads[0];

  it('stacks a new active view and hides the previous one, without a reload', async () => {
    const window = openPage(DEMO_HOSTS.salesforceUi, `/lightning/r/Lead/${first.salesforceId}/view`);
    const doc = window.document as unknown as Document;
    const firstView = doc.querySelector('.windowViewMode-normal.active')!;
    const next = doc.querySelector<HTMLAnchorElement>('.next-lead a')!;
    const nextName = next.textContent;
    next.click();
    await until(() => doc.querySelectorAll('.oneCenterStage > .windowViewMode-normal').length === 2);

    expect(window.location.pathname).toBe(next.getAttribute('href'));
    const active = doc.querySelectorAll('.windowViewMode-normal.active');
    expect(active).toHaveLength(1);
    expect(active[0].querySelector('.slds-page-header__title lightning-formatted-name')?.textContent).toBe(nextName);
    expect(firstView.isConnected).toBe(true); // the same element: no reload
    expect(firstView.classList.contains('active')).toBe(false);
    expect((firstView as unknown as HTMLElement).style.display).toBe('none');
    expect(doc.title).toBe(`${nextName} | Lead | Salesforce`);
  });

  it('goes back on popstate', async () => {
    const window = openPage(DEMO_HOSTS.salesforceUi, `/lightning/r/Lead/${first.salesforceId}/view`);
    const doc = window.document as unknown as Document;
    doc.querySelector<HTMLAnchorElement>('.next-lead a')!.click();
    await until(() => doc.querySelectorAll('.windowViewMode-normal').length === 2);
    window.history.back();
    await until(() => doc.querySelector('.windowViewMode-normal.active .slds-page-header__title')?.textContent === first.salesforce.Name);
    expect(window.location.pathname).toBe(`/lightning/r/Lead/${first.salesforceId}/view`);
    expect(doc.querySelectorAll('.windowViewMode-normal.active')).toHaveLength(1);
  });

  it('navigates from the list to a record', async () => {
    const window = openPage(DEMO_HOSTS.salesforceUi, '/lightning/o/Lead/list');
    const doc = window.document as unknown as Document;
    doc.querySelector<HTMLAnchorElement>('a[href*="/lightning/r/Lead/"]')!.click();
    await until(() => doc.querySelector('.windowViewMode-normal.active [data-target-selection-name]') !== null);
    expect(window.location.pathname).toBe(`/lightning/r/Lead/${first.salesforceId}/view`);
  });

  it('renders the XSS lead as text after client-side navigation', async () => {
    const xssIndex = leads.findIndex((l) => l.salesforceId === SPECIAL_LEAD_IDS.xss.salesforce);
    const window = openPage(DEMO_HOSTS.salesforceUi, `/lightning/r/Lead/${leads[xssIndex - 1].salesforceId}/view`);
    const doc = window.document as unknown as Document;
    doc.querySelector<HTMLAnchorElement>('.next-lead a')!.click();
    await until(() => doc.querySelectorAll('.windowViewMode-normal').length === 2);
    const title = doc.querySelector('.windowViewMode-normal.active [data-target-selection-name="sfdc:RecordField.Lead.Title"] .test-id__field-value');
    expect(title?.textContent).toBe(XSS_PAYLOAD);
    expect(doc.querySelector('img')).toBeNull();
  });

  it('falls back to a full load for pages it cannot show', async () => {
    const window = openPage(DEMO_HOSTS.salesforceUi, '/lightning/o/Lead/list');
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    const doc = window.document as unknown as Document;
    const link = doc.createElement('a');
    link.setAttribute('href', '/lightning/r/Lead/00Q5g00000zzzzzAAA/view');
    doc.body.append(link);
    link.click();
    await until(() => assign.mock.calls.length === 1);
    expect(String(assign.mock.calls[0][0])).toContain('/lightning/r/Lead/00Q5g00000zzzzzAAA/view');
  });
});

describe('HubSpot client-side navigation', () => {
  it('re-renders the record in place', async () => {
    const window = openPage(DEMO_HOSTS.hubspotUi, `/contacts/4242424/record/0-1/${leads[0].hubspotId}`);
    const doc = window.document as unknown as Document;
    const link = doc.querySelector<HTMLAnchorElement>('[data-test-id="records-right-sidebar"] a[href*="/record/0-1/"]')!;
    const name = link.textContent;
    link.click();
    await until(() => doc.querySelector('[data-selenium-test="highlightTitle"]')?.textContent === name);
    expect(doc.querySelectorAll('[data-selenium-test="highlightTitle"]')).toHaveLength(1);
    expect(window.location.pathname).toBe(link.getAttribute('href'));
  });
});

describe('buildElement', () => {
  it('sets text with textContent and drops handlers, scripts and foreign links', () => {
    const window = new Window();
    windows.push(window);
    const doc = window.document as unknown as Document;
    const element = buildElement(doc, {
      tag: 'div',
      attrs: { onclick: 'alert(1)', class: 'ok' },
      children: [
        { tag: 'span', text: XSS_PAYLOAD },
        { tag: 'a', attrs: { href: 'javascript:alert(1)' }, text: 'x' },
        { tag: 'a', attrs: { href: '//elsewhere.example/' }, text: 'y' },
        { tag: 'script', text: 'alert(1)' },
      ],
    });
    expect(element.getAttribute('onclick')).toBeNull();
    expect(element.className).toBe('ok');
    expect(element.querySelector('span')?.textContent).toBe(XSS_PAYLOAD);
    expect(element.querySelector('img')).toBeNull();
    expect([...element.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([null, null]);
    expect(element.querySelector('script')).toBeNull();
  });
});
