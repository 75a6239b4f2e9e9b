/**
 * HubSpot UI (`app.hubspot.com`, portal 4242424), with the DOM of PAGES.md: regions and
 * properties carry `data-test-id` / `data-selenium-test`; class names are random on every
 * render, as HubSpot's generated ones are, so nothing can anchor on them.
 */
import { randomBytes } from 'node:crypto';
import { DEMO_ACCOUNTS } from '../../lib/crm/demo-accounts';
import { SPECIAL_LEAD_IDS, type DemoLead, type HubSpotPropertyName } from '../../lib/crm/demo-data';
import { HUBSPOT_ABOUT_CARD, hubspotProperty, type HubSpotProperty } from './fields';
import { hubspotDisplay } from './format';
import type { DemoStore } from './store';
import { pageOf, pager, stage, type UiSite, type UiView } from './ui';
import { h, type ViewNode } from './view';

export const HUBSPOT_PORTAL_ID = DEMO_ACCOUNTS.hubspot;
export const HUBSPOT_INDEX_PATH = `/contacts/${HUBSPOT_PORTAL_ID}/objects/0-1/views/all/list`;
const RECORD_PATH = new RegExp(`^/contacts/${HUBSPOT_PORTAL_ID}/(?:record/0-1|contact)/(\\d+)/?$`);

export const hubspotRecordPath = (id: string): string => `/contacts/${HUBSPOT_PORTAL_ID}/record/0-1/${id}`;

type ClassNamer = (part: string) => string;

/** A fresh random class name per part, stable within one render. */
function randomClassNames(): ClassNamer {
  const names = new Map<string, string>();
  return (part) => {
    let name = names.get(part);
    if (name === undefined) {
      name = `x${randomBytes(3).toString('hex')}`;
      names.set(part, name);
    }
    return name;
  };
}

export function hubspotSite(store: DemoStore, locale: () => string): UiSite {
  return {
    styles: STYLES,
    locale,
    page(view) {
      const cls = randomClassNames();
      return h('div', { class: cls('app'), id: 'hs-app' }, [
        h('nav', { id: 'hs-nav-v4', class: cls('nav') }, [
          h('span', { class: cls('logo') }, 'LeadLens Demo'),
          h('a', { href: HUBSPOT_INDEX_PATH, class: cls('navLink') }, 'Contacts'),
        ]),
        stage('replace', { class: cls('stage') }, view),
      ]);
    },
    resolve: (url) => resolve(store, url, randomClassNames(), locale()),
    notFound: (url) => {
      const cls = randomClassNames();
      return {
        title: 'Not found | HubSpot',
        view: h('div', { class: cls('error'), 'data-demo-path': url.pathname + url.search }, [
          h('h1', { class: cls('heading') }, "This contact doesn't exist or was deleted."),
          h('a', { href: HUBSPOT_INDEX_PATH, class: cls('link') }, 'Back to contacts'),
        ]),
      };
    },
  };
}

function resolve(store: DemoStore, url: URL, cls: ClassNamer, locale: string): UiView | null {
  const path = url.pathname;
  if (path === '/') return homeView(url, cls);
  if (path === HUBSPOT_INDEX_PATH || path === `/contacts/${HUBSPOT_PORTAL_ID}`) return indexView(store, url, cls, locale);
  const id = RECORD_PATH.exec(path)?.[1];
  const lead = id === undefined ? undefined : store.byHubspotId(id);
  return lead ? recordView(store, lead, url, cls, locale) : null;
}

function homeView(url: URL, cls: ClassNamer): UiView {
  return {
    title: 'Home | HubSpot',
    view: h('div', { class: cls('home'), 'data-demo-path': url.pathname }, [
      h('h1', { class: cls('heading') }, 'Home'),
      h('a', { href: HUBSPOT_INDEX_PATH, class: cls('link') }, 'Contacts'),
    ]),
  };
}

export function contactName(lead: DemoLead): string {
  const { firstname, lastname, email } = lead.hubspot;
  return [firstname, lastname].filter(Boolean).join(' ') || email || 'Unnamed contact';
}

// ─── Record page ────────────────────────────────────────────────────────────────────────

function recordView(store: DemoStore, lead: DemoLead, url: URL, cls: ClassNamer, locale: string): UiView {
  const name = contactName(lead);
  const showAbout = lead.hubspotId !== SPECIAL_LEAD_IDS.noDetails.hubspot;
  return {
    title: `${name} | HubSpot`,
    view: h('div', { class: cls('record'), 'data-demo-path': url.pathname + url.search }, [
      h('div', { 'data-test-id': 'left-sidebar', class: cls('left') }, [
        h('a', { href: HUBSPOT_INDEX_PATH, class: cls('back') }, 'Contacts'),
        h('div', { 'data-selenium-test': 'contact-highlight-details', class: cls('highlight') }, [
          h('h2', { 'data-selenium-test': 'highlightTitle', class: cls('title') }, name),
          lead.hubspot.jobtitle !== null && h('div', { class: cls('subtitle') }, lead.hubspot.jobtitle),
        ]),
        showAbout && aboutCard(lead, cls, locale),
      ]),
      middlePane(lead, cls, locale),
      rightSidebar(store, lead, cls),
    ]),
  };
}

function aboutCard(lead: DemoLead, cls: ClassNamer, locale: string): ViewNode {
  const properties = HUBSPOT_ABOUT_CARD.map((name) => hubspotProperty(name)).filter((p): p is HubSpotProperty => p !== undefined);
  return h('div', { 'data-test-id': 'about-this-contact', class: cls('about') }, [
    h('h3', { class: cls('cardTitle') }, 'About this contact'),
    ...properties.map((property) =>
      h('div', { 'data-selenium-test': `property-input-${property.name}`, class: cls('property') }, [
        h('label', { 'data-selenium-test': 'property-label', class: cls('label') }, property.label),
        h('span', { 'data-selenium-test': 'property-value', class: cls('value') }, hubspotDisplay(property, lead.hubspot[property.name], locale)),
      ]),
    ),
  ]);
}

/** Tabs, one of them hidden but still in the DOM, as HubSpot keeps them. */
function middlePane(lead: DemoLead, cls: ClassNamer, locale: string): ViewNode {
  const shown = (name: HubSpotPropertyName) => {
    const property = hubspotProperty(name);
    return property ? `${property.label}: ${hubspotDisplay(property, lead.hubspot[name], locale)}` : '';
  };
  return h('div', { 'data-test-id': 'middle-pane', class: cls('middle') }, [
    h('div', { role: 'tablist', class: cls('tabs') }, [
      h('button', { type: 'button', role: 'tab', 'aria-selected': 'true', class: cls('tab') }, 'Overview'),
      h('button', { type: 'button', role: 'tab', 'aria-selected': 'false', class: cls('tab') }, 'Activities'),
    ]),
    h('section', { role: 'tabpanel', 'aria-label': 'Overview', class: cls('panel') }, [
      h('h3', { class: cls('cardTitle') }, 'Recent engagement'),
      h('ul', { class: cls('list') }, (['hs_analytics_last_url', 'hs_analytics_num_visits', 'notes_last_updated'] as const).map((name) => h('li', {}, shown(name)))),
    ]),
    h('section', { role: 'tabpanel', 'aria-label': 'Activities', hidden: '', class: cls('panel') }, [
      h('p', {}, 'No upcoming activities.'),
    ]),
  ]);
}

function rightSidebar(store: DemoStore, lead: DemoLead, cls: ClassNamer): ViewNode {
  const link = (other: DemoLead) => h('a', { href: hubspotRecordPath(other.hubspotId), class: cls('link') }, contactName(other));
  return h('div', { 'data-test-id': 'records-right-sidebar', class: cls('right') }, [
    h('section', { class: cls('card'), 'aria-label': 'Next contact' }, [h('h3', { class: cls('cardTitle') }, 'Next contact'), link(store.next(lead))]),
    h('section', { class: cls('card'), 'aria-label': 'Similar contacts' }, [
      h('h3', { class: cls('cardTitle') }, 'Similar contacts'),
      h('ul', { class: cls('list') }, store.similar(lead).map((other) => h('li', {}, [link(other)]))),
    ]),
  ]);
}

// ─── Index ──────────────────────────────────────────────────────────────────────────────

const INDEX_COLUMNS: readonly HubSpotPropertyName[] = ['email', 'phone', 'hubspot_owner_id', 'hs_lead_status', 'createdate'];

function indexView(store: DemoStore, url: URL, cls: ClassNamer, locale: string): UiView {
  const page = pageOf(store.hubspotLeads, url);
  const columns = INDEX_COLUMNS.map((name) => hubspotProperty(name)).filter((p): p is HubSpotProperty => p !== undefined);
  return {
    title: 'Contacts | HubSpot',
    view: h('div', { class: cls('index'), 'data-demo-path': url.pathname + url.search }, [
      h('h1', { class: cls('heading') }, 'Contacts'),
      h('table', { class: cls('table'), 'data-test-id': 'contacts-table' }, [
        h('thead', {}, [h('tr', {}, ['Name', ...columns.map((c) => c.label)].map((label) => h('th', { class: cls('th') }, label)))]),
        h('tbody', {}, page.items.map((lead) =>
          h('tr', { class: cls('row') }, [
            h('td', { class: cls('td') }, [h('a', { href: hubspotRecordPath(lead.hubspotId), class: cls('link') }, contactName(lead))]),
            ...columns.map((property) => h('td', { class: cls('td') }, hubspotDisplay(property, lead.hubspot[property.name], locale))),
          ]),
        )),
      ]),
      pager(HUBSPOT_INDEX_PATH, page, cls),
    ]),
  };
}

/** Styled by attribute, since the class names change on every load. */
const STYLES = `
body { margin: 0; font: 14px/1.5 "Lexend Deca", Helvetica, Arial, sans-serif; background: #f5f8fa; color: #33475b; }
#hs-nav-v4 { display: flex; gap: 24px; padding: 10px 16px; background: #2d3e50; color: #fff; }
#hs-nav-v4 a { color: #fff; }
[data-demo-stage] > div { padding: 16px; }
[data-demo-stage] > div:has(> [data-test-id="left-sidebar"]) { display: flex; gap: 16px; align-items: flex-start; }
[data-test-id="left-sidebar"] { width: 340px; background: #fff; border: 1px solid #cbd6e2; padding: 16px; }
[data-test-id="middle-pane"] { flex: 1; background: #fff; border: 1px solid #cbd6e2; padding: 16px; }
[data-test-id="records-right-sidebar"] { width: 280px; background: #fff; border: 1px solid #cbd6e2; padding: 16px; }
[data-selenium-test="highlightTitle"] { font-size: 20px; margin: 8px 0 4px; }
[data-selenium-test^="property-input-"] { display: flex; flex-direction: column; padding: 6px 0; border-bottom: 1px solid #eaf0f6; }
[data-selenium-test="property-label"] { font-size: 12px; color: #516f90; }
[data-selenium-test="property-value"] { overflow-wrap: anywhere; }
[data-test-id="contacts-table"] { width: 100%; border-collapse: collapse; background: #fff; }
[data-test-id="contacts-table"] th, [data-test-id="contacts-table"] td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaf0f6; }
a { color: #0091ae; text-decoration: none; }
nav[aria-label="Pages"] { display: flex; gap: 12px; padding: 8px 0; }
`;
