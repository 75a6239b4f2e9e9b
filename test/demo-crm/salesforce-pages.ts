/**
 * Salesforce Lightning UI (`*.lightning.force.com`), with the DOM of PAGES.md: each view is
 * a `div.windowViewMode-normal.oneContent` in `div.oneCenterStage`; the active one has
 * `active`, earlier ones stay hidden (the page script stacks them).
 */
import { SPECIAL_LEAD_IDS, type DemoLead, type SalesforceValue } from '../../lib/crm/demo-data';
import { SALESFORCE_LAYOUT, salesforceField, type SalesforceField, type SalesforceFieldType } from './fields';
import { salesforceDisplay } from './format';
import type { DemoStore } from './store';
import { pageOf, pager, stage, type UiSite, type UiView } from './ui';
import { h, type ViewNode } from './view';

export const SALESFORCE_LIST_PATH = '/lightning/o/Lead/list';
const HOME_PATH = '/lightning/page/home';
const RECORD_PATH = /^\/lightning\/r\/Lead\/([A-Za-z0-9]{15,18})\/view\/?$/;

export const salesforceRecordPath = (id: string): string => `/lightning/r/Lead/${id}/view`;

/** Lightning's static class names, so the plain name is the class. */
const slds = (part: string): string => part;

export function salesforceSite(store: DemoStore, locale: () => string): UiSite {
  return {
    styles: STYLES,
    locale,
    page: (view) =>
      h('div', { class: 'desktop container forceStyle oneOne' }, [
        h('header', { class: 'slds-global-header_container' }, [
          h('div', { class: 'slds-global-header' }, [
            h('span', { class: 'slds-global-header__logo' }, 'LeadLens Demo'),
            h('nav', { class: 'slds-context-bar' }, [
              h('a', { href: HOME_PATH, class: 'slds-context-bar__label-action' }, 'Home'),
              h('a', { href: SALESFORCE_LIST_PATH, class: 'slds-context-bar__label-action' }, 'Leads'),
            ]),
          ]),
        ]),
        stage('stack', { class: 'oneCenterStage' }, view),
      ]),
    resolve: (url) => resolve(store, url, locale()),
    notFound: (url) => ({
      title: 'Error | Salesforce',
      view: lightningView(url, [
        h('h1', { class: 'slds-text-heading_large' }, "Looks like there's a problem."),
        h('p', {}, "The record you're looking for doesn't exist, or has been deleted."),
        h('a', { href: SALESFORCE_LIST_PATH }, 'Back to Leads'),
      ]),
    }),
  };
}

function resolve(store: DemoStore, url: URL, locale: string): UiView | null {
  const path = url.pathname;
  if (path === '/' || path === HOME_PATH) return homeView(url);
  if (path === SALESFORCE_LIST_PATH || path === '/lightning/o/Lead/home') return listView(store, url, locale);
  const id = RECORD_PATH.exec(path)?.[1];
  const lead = id === undefined ? undefined : store.bySalesforceId(id);
  return lead ? recordView(store, lead, url, locale) : null;
}

/** One Lightning view; `data-demo-path` lets the page script find it again. */
function lightningView(url: URL, content: readonly (ViewNode | false)[]): ViewNode {
  return h('div', { class: 'windowViewMode-normal oneContent active', 'data-demo-path': url.pathname + url.search }, content);
}

function homeView(url: URL): UiView {
  return {
    title: 'Home | Salesforce',
    view: lightningView(url, [
      h('h1', { class: 'slds-text-heading_large' }, 'Home'),
      h('p', {}, [h('a', { href: SALESFORCE_LIST_PATH }, 'Leads')]),
    ]),
  };
}

// ─── Record page ────────────────────────────────────────────────────────────────────────

function recordView(store: DemoStore, lead: DemoLead, url: URL, locale: string): UiView {
  const record = lead.salesforce;
  const showDetails = lead.salesforceId !== SPECIAL_LEAD_IDS.noDetails.salesforce;
  return {
    title: `${record.Name} | Lead | Salesforce`,
    view: lightningView(url, [
      recordHeader(record.Name),
      showDetails && detailsCard(store, lead, locale),
      relatedCard(store, lead),
    ]),
  };
}

function recordHeader(name: string): ViewNode {
  return h('div', { class: 'slds-page-header slds-page-header_record-home' }, [
    h('nav', { class: 'slds-breadcrumb', 'aria-label': 'Breadcrumbs' }, [h('a', { href: SALESFORCE_LIST_PATH }, 'Leads')]),
    h('div', { class: 'slds-page-header__row' }, [
      h('div', { class: 'slds-page-header__col-title' }, [
        h('div', { class: 'entityNameTitle' }, 'Lead'),
        h('div', { class: 'slds-page-header__name' }, [
          h('h1', { class: 'slds-page-header__title slds-truncate' }, [h('lightning-formatted-name', {}, name)]),
        ]),
      ]),
      h('div', { class: 'slds-page-header__controls' }, [
        h('ul', { class: 'slds-button-group-list' }, ['Follow', 'Convert', 'Edit'].map((label) =>
          h('li', {}, [h('button', { type: 'button', class: 'slds-button slds-button_neutral' }, label)]),
        )),
      ]),
    ]),
  ]);
}

function detailsCard(store: DemoStore, lead: DemoLead, locale: string): ViewNode {
  const fields = SALESFORCE_LAYOUT.map((name) => salesforceField(name)).filter((f): f is SalesforceField => f !== undefined);
  return h('article', { class: 'slds-card record-details', 'aria-label': 'Details' }, [
    h('h2', { class: 'slds-card__header-title' }, 'Details'),
    h('div', { class: 'slds-form', role: 'list' }, fields.map((field) => fieldRow(store, field, lead.salesforce[field.name], locale))),
  ]);
}

function fieldRow(store: DemoStore, field: SalesforceField, value: SalesforceValue, locale: string): ViewNode {
  return h('records-record-layout-item', { 'field-label': field.label, class: 'slds-form__item', role: 'listitem' }, [
    h('div', { 'data-target-selection-name': `sfdc:RecordField.Lead.${field.name}`, class: 'slds-form-element slds-form-element_readonly' }, [
      h('span', { class: 'test-id__field-label slds-form-element__label' }, field.label),
      h('span', { class: 'test-id__field-value slds-form-element__static' }, [fieldValue(store, field, value, locale)]),
    ]),
  ]);
}

/** The Lightning base component each type renders with. */
const VALUE_ELEMENT: Partial<Record<SalesforceFieldType, string>> = {
  currency: 'lightning-formatted-number',
  int: 'lightning-formatted-number',
  datetime: 'lightning-formatted-date-time',
  date: 'lightning-formatted-date-time',
  email: 'lightning-formatted-email',
  phone: 'lightning-formatted-phone',
  url: 'lightning-formatted-url',
  reference: 'force-lookup',
};

function fieldValue(store: DemoStore, field: SalesforceField, value: SalesforceValue, locale: string): ViewNode {
  if (field.type === 'boolean') return h('input', { type: 'checkbox', disabled: '', checked: value === true && '' });
  const element = field.name === 'Name' ? 'lightning-formatted-name' : (VALUE_ELEMENT[field.type] ?? 'lightning-formatted-text');
  return h(element, {}, salesforceDisplay(field, value, store.ownerName, locale));
}

function relatedCard(store: DemoStore, lead: DemoLead): ViewNode {
  const next = store.next(lead);
  return h('article', { class: 'slds-card related-leads', 'aria-label': 'Related' }, [
    h('h2', { class: 'slds-card__header-title' }, 'Related'),
    h('p', { class: 'next-lead' }, [h('span', {}, 'Next lead: '), leadLink(next)]),
    h('h3', {}, 'Similar leads'),
    h('ul', { class: 'similar-leads' }, store.similar(lead).map((other) => h('li', {}, [leadLink(other)]))),
  ]);
}

function leadLink(lead: DemoLead): ViewNode {
  return h('a', { href: salesforceRecordPath(lead.salesforceId), 'data-recordid': lead.salesforceId, title: lead.salesforce.Name }, lead.salesforce.Name);
}

// ─── List view ──────────────────────────────────────────────────────────────────────────

const LIST_COLUMNS: readonly (keyof DemoLead['salesforce'])[] = ['Company', 'Title', 'State', 'Email', 'Status', 'OwnerId'];

function listView(store: DemoStore, url: URL, locale: string): UiView {
  const page = pageOf(store.leads, url);
  const columns = LIST_COLUMNS.map((name) => salesforceField(name)).filter((f): f is SalesforceField => f !== undefined);
  return {
    title: 'Leads | Salesforce',
    view: lightningView(url, [
      h('div', { class: 'slds-page-header' }, [
        h('div', { class: 'entityNameTitle' }, 'Leads'),
        h('h1', { class: 'slds-page-header__title' }, [h('span', {}, 'All Leads')]),
      ]),
      h('table', { class: 'slds-table slds-table_bordered', 'aria-label': 'All Leads' }, [
        h('thead', {}, [h('tr', {}, ['Name', ...columns.map((c) => c.label)].map((label) => h('th', { scope: 'col' }, label)))]),
        h('tbody', {}, page.items.map((lead) =>
          h('tr', { 'data-row-key-value': lead.salesforceId }, [
            h('th', { scope: 'row' }, [leadLink(lead)]),
            ...columns.map((field) => h('td', {}, salesforceDisplay(field, lead.salesforce[field.name], store.ownerName, locale))),
          ]),
        )),
      ]),
      pager(SALESFORCE_LIST_PATH, page, slds),
    ]),
  };
}

const STYLES = `
body { margin: 0; font: 13px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; background: #f3f3f3; color: #181818; }
.slds-global-header { display: flex; gap: 24px; align-items: center; padding: 8px 16px; background: #fff; border-bottom: 1px solid #ddd; }
.slds-global-header__logo { font-weight: 700; color: #0176d3; }
.slds-context-bar { display: flex; gap: 16px; }
.oneCenterStage { padding: 12px; }
.slds-page-header, .slds-card { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 12px 16px; margin-bottom: 12px; }
.slds-page-header__row { display: flex; justify-content: space-between; align-items: center; }
/* As SLDS: the title column takes the room the actions leave and no more, and the record title clips
   what does not fit on its one line: a long name is cut there (LeadLens's badge and popover must escape it). */
.slds-page-header__col-title { flex: 1 1 0%; min-width: 0; }
.slds-page-header__name { display: inline-flex; align-items: center; max-width: 100%; }
.slds-page-header__title { font-size: 18px; margin: 0; }
.slds-truncate { max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.entityNameTitle { color: #555; font-size: 12px; }
.slds-button-group-list { display: flex; gap: 4px; list-style: none; margin: 0; padding: 0; }
.slds-button { border: 1px solid #c9c9c9; border-radius: 4px; background: #fff; color: #0176d3; padding: 2px 12px; }
.slds-card__header-title { font-size: 14px; margin: 0 0 8px; }
.slds-form { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 24px; }
.slds-form-element { border-bottom: 1px solid #eee; padding: 4px 0; display: flex; flex-direction: column; }
.slds-form-element__label { color: #555; font-size: 12px; }
.slds-form-element__static { min-height: 18px; overflow-wrap: anywhere; }
.slds-table { width: 100%; border-collapse: collapse; background: #fff; }
.slds-table th, .slds-table td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; }
a { color: #0176d3; text-decoration: none; }
nav[aria-label="Pages"] { display: flex; gap: 12px; padding: 8px 0; }
`;
