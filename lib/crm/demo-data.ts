/**
 * Seeded demo leads: the demo CRM server's records, the extension's "demo data" and the
 * history the bundled model is trained on.
 *
 * Each lead exists in both CRMs and carries both views: Salesforce field values as the
 * REST API returns them, and HubSpot property values as HubSpot returns them (strings or
 * null). Whether a lead converted depends on its fit and its engagement, with an
 * interaction (engagement counts for much more when the buyer is senior and the company
 * is big) and noise; missing values are common and say something (small companies leave
 * revenue blank, leads that never visited have no visit counts).
 *
 * Pure TypeScript with its own PRNG: the same seed and `now` give the same leads in the
 * browser and in Node.
 */
import { FeatureSpecListSchema, fieldSourcesOf, type FieldSources } from '../ml/manifest';
import demoFeatureSpecJson from '../../models/demo-features.json';
import { parseNumber } from '../ml/derive';
import { mulberry32 } from '../ml/random';
import { HUBSPOT_LIFECYCLE_ORDER, type HubSpotLifecycleStage } from './hubspot-lifecycle';
import { HUBSPOT_EMPLOYEE_RANGES } from './hubspot-ranges';
import { salesforceId18 } from './salesforce';

// ─── Public shapes ──────────────────────────────────────────────────────────────────────

export type SalesforceValue = string | number | boolean | null;

/** A standard Lead as `GET /services/data/vNN.0/sobjects/Lead/{Id}` returns it (without `attributes`). */
export type SalesforceLead = {
  Id: string;
  FirstName: string | null;
  LastName: string;
  Name: string;
  Company: string;
  Title: string | null;
  Email: string | null;
  Phone: string | null;
  Website: string | null;
  LeadSource: string | null;
  Industry: string | null;
  AnnualRevenue: number | null;
  NumberOfEmployees: number | null;
  Country: string | null;
  State: string | null;
  City: string | null;
  /** Filled by reps after contact: leakage, never a feature. */
  Status: string;
  /** Filled by reps after contact: leakage, never a feature. */
  Rating: string | null;
  CreatedDate: string;
  /** Date only (`2026-03-14`). */
  LastActivityDate: string | null;
  LastModifiedDate: string;
  SystemModstamp: string;
  HasOptedOutOfEmail: boolean;
  IsConverted: boolean;
  /** Date only; set only when converted. */
  ConvertedDate: string | null;
  OwnerId: string;
  Description: string | null;
};

export const HUBSPOT_PROPERTY_NAMES = [
  'hs_object_id',
  'firstname',
  'lastname',
  'email',
  'company',
  'jobtitle',
  'phone',
  'website',
  'industry',
  'numemployees',
  'annualrevenue',
  'country',
  'state',
  'city',
  'hs_analytics_source',
  'hs_analytics_num_visits',
  'hs_analytics_num_page_views',
  'num_conversion_events',
  'hs_email_open',
  'hs_email_click',
  'hs_email_bounce',
  'hs_analytics_first_url',
  'hs_analytics_last_url',
  'lifecyclestage',
  'hs_lead_status',
  'createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'notes_last_updated',
  'hs_email_optout',
  'hubspot_owner_id',
] as const;
export type HubSpotPropertyName = (typeof HUBSPOT_PROPERTY_NAMES)[number];
/** HubSpot returns every property value as a string, or null when empty. */
export type HubSpotProperties = Record<HubSpotPropertyName, string | null>;

export interface DemoLead {
  /** 18-character Salesforce Lead Id (`00Q…`). */
  salesforceId: string;
  /** HubSpot contact id (digits). */
  hubspotId: string;
  converted: boolean;
  salesforce: SalesforceLead;
  hubspot: HubSpotProperties;
}

export interface DemoOwner {
  salesforceId: string;
  hubspotId: string;
  name: string;
}

export interface GenerateOptions {
  count?: number;
  seed?: number;
  now?: Date;
}

// ─── Vocabularies (exported: the demo CRM's pages and describe endpoints label them) ───

export const SALESFORCE_LEAD_SOURCES = [
  'Web',
  'Phone Inquiry',
  'Partner Referral',
  'Purchased List',
  'Trade Show',
  'Webinar',
  'Employee Referral',
  'Advertisement',
  'Other',
] as const;

export const SALESFORCE_INDUSTRIES = [
  'Agriculture', 'Apparel', 'Banking', 'Biotechnology', 'Chemicals', 'Communications',
  'Construction', 'Consulting', 'Education', 'Electronics', 'Energy', 'Engineering',
  'Entertainment', 'Environmental', 'Finance', 'Food & Beverage', 'Government', 'Healthcare',
  'Hospitality', 'Insurance', 'Machinery', 'Manufacturing', 'Media', 'Not For Profit',
  'Recreation', 'Retail', 'Shipping', 'Technology', 'Telecommunications', 'Transportation',
  'Utilities', 'Other',
] as const;

export const SALESFORCE_LEAD_STATUSES = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
] as const;

export const SALESFORCE_RATINGS = ['Hot', 'Warm', 'Cold'] as const;

export const HUBSPOT_ANALYTICS_SOURCES = [
  'ORGANIC_SEARCH',
  'PAID_SEARCH',
  'EMAIL_MARKETING',
  'SOCIAL_MEDIA',
  'REFERRALS',
  'OTHER_CAMPAIGNS',
  'DIRECT_TRAFFIC',
  'OFFLINE',
  'PAID_SOCIAL',
] as const;

/** The stages a demo contact can be in: HubSpot's defaults up to customer. */
export const HUBSPOT_LIFECYCLE_STAGES = HUBSPOT_LIFECYCLE_ORDER.filter(
  (stage): stage is Exclude<HubSpotLifecycleStage, 'evangelist'> => stage !== 'evangelist',
);

export const HUBSPOT_LEAD_STATUSES = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'OPEN_DEAL',
  'UNQUALIFIED',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'BAD_TIMING',
] as const;

export const DEMO_OWNERS: readonly DemoOwner[] = [
  ['0055g00000A1bCd', '61234501', 'Dana Whitfield'],
  ['0055g00000A1bCe', '61234502', 'Marcus Oyelaran'],
  ['0055g00000A1bCf', '61234503', 'Priya Raman'],
  ['0055g00000A1bCg', '61234504', 'Tomás Echeverría'],
  ['0055g00000A1bCh', '61234505', 'Hannah Kowalski'],
  ['0055g00000A1bCi', '61234506', 'Kenji Watanabe'],
].map(([id15, hubspotId, name]) => ({ salesforceId: salesforceId18(id15), hubspotId, name }));

/** The company the demo CRM belongs to: HubSpot's first/last page URLs are on its site. */
export const DEMO_VENDOR_SITE = 'https://www.northbeam-analytics.example';

// ─── Special records (test/demo-crm/PAGES.md, "Special records") ───────────────────────

export const XSS_PAYLOAD = '<img src=x onerror=alert(1)>';
export const SPECIAL_LEAD_IDS = {
  /** Title / jobtitle and Company hold `XSS_PAYLOAD`. */
  xss: { salesforce: '00Q000000000XSSAAA', hubspot: '9000001' },
  /** Its record page has a header but no details section. */
  noDetails: { salesforce: '00Q000000000EMPAAA', hubspot: '9000002' },
} as const;

// ─── Seeded randomness ──────────────────────────────────────────────────────────────────

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Pick with relative weights. */
  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T {
    const total = items.reduce((sum, item) => sum + weightOf(item), 0);
    let r = this.next() * total;
    for (const item of items) {
      r -= weightOf(item);
      if (r < 0) return item;
    }
    return items[items.length - 1];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** exp(N(mu, sigma)): a skewed positive amount, like visit counts or revenue per head. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Each lead gets its own stream, so lead i is the same whatever `count` is. */
function leadSeed(seed: number, index: number): number {
  return mix32(mix32(seed) + Math.imul(index + 1, 0x9e3779b9));
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

// ─── Ids ─────────────────────────────────────────────────────────────────────────────────

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(n: number, width: number): string {
  let out = '';
  for (let rest = n; out.length < width; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out;
}


/** Lead Ids are sequential, like a real org's: `00Q` + pod `5g` + counter. */
function leadId(index: number): string {
  return salesforceId18(`00Q5g0000${base62(index + 4000, 6)}`);
}

function contactId(index: number): string {
  return String(100_001 + index);
}

// ─── What a lead is made of, before either CRM's formatting ─────────────────────────────

type Seniority = 'c-level' | 'vp' | 'director' | 'manager' | 'individual' | 'student' | 'other';
type PageCategory = 'pricing' | 'demo' | 'docs' | 'blog' | 'careers' | 'contact' | 'product' | 'home';

interface Channel {
  salesforce: (typeof SALESFORCE_LEAD_SOURCES)[number];
  hubspot: (typeof HUBSPOT_ANALYTICS_SOURCES)[number];
  weight: number;
  /** Log-odds effect on conversion. */
  effect: number;
  /** Chance the lead ever visited the vendor's site (tracked by HubSpot). */
  visited: number;
  /** Created by a web form, so it has at least one conversion event. */
  inbound: boolean;
}

const CHANNELS: readonly Channel[] = [
  { salesforce: 'Web', hubspot: 'ORGANIC_SEARCH', weight: 24, effect: 0.2, visited: 1, inbound: true },
  { salesforce: 'Advertisement', hubspot: 'PAID_SEARCH', weight: 12, effect: 0, visited: 1, inbound: true },
  { salesforce: 'Advertisement', hubspot: 'PAID_SOCIAL', weight: 8, effect: -0.35, visited: 1, inbound: true },
  { salesforce: 'Web', hubspot: 'SOCIAL_MEDIA', weight: 7, effect: -0.1, visited: 1, inbound: true },
  { salesforce: 'Web', hubspot: 'DIRECT_TRAFFIC', weight: 8, effect: 0.25, visited: 1, inbound: true },
  { salesforce: 'Web', hubspot: 'EMAIL_MARKETING', weight: 6, effect: 0.1, visited: 0.9, inbound: true },
  { salesforce: 'Webinar', hubspot: 'OTHER_CAMPAIGNS', weight: 6, effect: 0.2, visited: 0.8, inbound: true },
  { salesforce: 'Partner Referral', hubspot: 'REFERRALS', weight: 6, effect: 0.8, visited: 0.6, inbound: false },
  { salesforce: 'Employee Referral', hubspot: 'REFERRALS', weight: 3, effect: 0.7, visited: 0.5, inbound: false },
  { salesforce: 'Trade Show', hubspot: 'OFFLINE', weight: 7, effect: 0.1, visited: 0.35, inbound: false },
  { salesforce: 'Phone Inquiry', hubspot: 'OFFLINE', weight: 4, effect: 0.6, visited: 0.4, inbound: false },
  { salesforce: 'Purchased List', hubspot: 'OFFLINE', weight: 7, effect: -1.1, visited: 0.1, inbound: false },
  { salesforce: 'Other', hubspot: 'OTHER_CAMPAIGNS', weight: 2, effect: -0.2, visited: 0.4, inbound: false },
];

interface IndustryProfile {
  name: (typeof SALESFORCE_INDUSTRIES)[number];
  weight: number;
  effect: number;
  /** Median annual revenue per employee, USD. */
  revenuePerHead: number;
  companyWords: readonly string[];
}

const GENERIC_WORDS = ['Group', 'Solutions', 'Services', 'Partners', 'Co'] as const;
const INDUSTRIES: readonly IndustryProfile[] = [
  { name: 'Technology', weight: 18, effect: 0.6, revenuePerHead: 260_000, companyWords: ['Labs', 'Software', 'Systems', 'Cloud', 'Analytics', 'Data'] },
  { name: 'Finance', weight: 6, effect: 0.4, revenuePerHead: 320_000, companyWords: ['Capital', 'Financial', 'Advisors', 'Partners'] },
  { name: 'Banking', weight: 3, effect: 0.35, revenuePerHead: 380_000, companyWords: ['Bank', 'Bancorp', 'Trust'] },
  { name: 'Insurance', weight: 3, effect: 0.2, revenuePerHead: 300_000, companyWords: ['Insurance', 'Mutual', 'Assurance'] },
  { name: 'Healthcare', weight: 7, effect: 0.3, revenuePerHead: 150_000, companyWords: ['Health', 'Medical', 'Clinics', 'Care'] },
  { name: 'Biotechnology', weight: 3, effect: 0.3, revenuePerHead: 280_000, companyWords: ['Bio', 'Therapeutics', 'Genomics'] },
  { name: 'Manufacturing', weight: 7, effect: 0.2, revenuePerHead: 210_000, companyWords: ['Industries', 'Manufacturing', 'Works'] },
  { name: 'Electronics', weight: 2, effect: 0.15, revenuePerHead: 240_000, companyWords: ['Electronics', 'Devices', 'Circuits'] },
  { name: 'Telecommunications', weight: 3, effect: 0.2, revenuePerHead: 350_000, companyWords: ['Telecom', 'Networks', 'Wireless'] },
  { name: 'Consulting', weight: 5, effect: 0, revenuePerHead: 170_000, companyWords: ['Consulting', 'Advisory', 'Partners'] },
  { name: 'Retail', weight: 6, effect: -0.1, revenuePerHead: 120_000, companyWords: ['Goods', 'Outfitters', 'Market', 'Stores'] },
  { name: 'Media', weight: 3, effect: -0.1, revenuePerHead: 180_000, companyWords: ['Media', 'Studios', 'Publishing'] },
  { name: 'Education', weight: 5, effect: -0.45, revenuePerHead: 90_000, companyWords: ['Academy', 'Learning', 'University'] },
  { name: 'Government', weight: 2, effect: -0.35, revenuePerHead: 110_000, companyWords: ['County', 'Authority', 'Agency'] },
  { name: 'Not For Profit', weight: 3, effect: -0.55, revenuePerHead: 70_000, companyWords: ['Foundation', 'Alliance', 'Society'] },
  { name: 'Hospitality', weight: 2, effect: -0.2, revenuePerHead: 80_000, companyWords: ['Hotels', 'Hospitality', 'Resorts'] },
  { name: 'Transportation', weight: 2, effect: 0, revenuePerHead: 200_000, companyWords: ['Logistics', 'Freight', 'Transit'] },
  { name: 'Energy', weight: 2, effect: 0.1, revenuePerHead: 450_000, companyWords: ['Energy', 'Power', 'Renewables'] },
  { name: 'Construction', weight: 2, effect: -0.15, revenuePerHead: 190_000, companyWords: ['Builders', 'Construction', 'Contracting'] },
  { name: 'Food & Beverage', weight: 2, effect: -0.1, revenuePerHead: 150_000, companyWords: ['Foods', 'Brewing', 'Kitchens'] },
  { name: 'Communications', weight: 1, effect: 0.1, revenuePerHead: 220_000, companyWords: ['Communications', 'PR'] },
  { name: 'Engineering', weight: 2, effect: 0.15, revenuePerHead: 200_000, companyWords: ['Engineering', 'Dynamics'] },
  { name: 'Other', weight: 2, effect: -0.2, revenuePerHead: 150_000, companyWords: GENERIC_WORDS },
];

const TITLES: Record<Seniority, readonly string[]> = {
  'c-level': ['CEO', 'Chief Executive Officer', 'CTO', 'CFO', 'COO', 'Chief Marketing Officer', 'Chief Revenue Officer', 'Founder & CEO', 'Co-Founder'],
  vp: ['VP Sales', 'VP of Marketing', 'Vice President, Engineering', 'SVP Operations', 'VP Finance', 'VP Customer Success'],
  director: ['Director of IT', 'Sales Director', 'Director, Marketing Operations', 'Head of Growth', 'Head of Data', 'Director of Revenue Operations'],
  manager: ['Marketing Manager', 'IT Manager', 'Sales Operations Manager', 'Product Manager', 'Engineering Manager', 'Office Manager'],
  individual: ['Software Engineer', 'Data Analyst', 'Account Executive', 'Marketing Specialist', 'Sales Representative', 'Business Analyst', 'Consultant', 'Accountant', 'Marketing Coordinator'],
  student: ['Student', 'Intern', 'MBA Candidate', 'PhD Student'],
  other: ['Freelancer', 'Retired', 'Self-employed', 'Volunteer'],
};

interface SeniorityProfile {
  level: Seniority;
  weight: number;
  effect: number;
  /** 0…1: how much a buyer at this level can decide; scales the weight of engagement. */
  authority: number;
}

const SENIORITIES: readonly SeniorityProfile[] = [
  { level: 'c-level', weight: 8, effect: 0.3, authority: 1 },
  { level: 'vp', weight: 10, effect: 0.6, authority: 0.9 },
  { level: 'director', weight: 14, effect: 0.7, authority: 0.75 },
  { level: 'manager', weight: 22, effect: 0.4, authority: 0.5 },
  { level: 'individual', weight: 34, effect: 0, authority: 0.2 },
  { level: 'student', weight: 6, effect: -1.5, authority: 0 },
  { level: 'other', weight: 6, effect: -0.4, authority: 0.15 },
];

interface Place {
  city: string;
  state: string | null;
}

interface CountryProfile {
  name: string;
  weight: number;
  effect: number;
  tld: string;
  companySuffixes: readonly string[];
  phone: (rng: Random) => string;
  places: readonly Place[];
}

const digits = (rng: Random, n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');
const northAmericanPhone = (rng: Random): string => `(${rng.pick(['212', '312', '415', '512', '617', '303', '206', '416', '604'])}) 555-01${digits(rng, 2)}`;

const COUNTRIES: readonly CountryProfile[] = [
  {
    name: 'United States', weight: 45, effect: 0.3, tld: 'com', companySuffixes: [' Inc.', ' LLC', ' Corp.', ''], phone: northAmericanPhone,
    places: [
      { city: 'San Francisco', state: 'CA' }, { city: 'Austin', state: 'TX' }, { city: 'New York', state: 'NY' },
      { city: 'Chicago', state: 'IL' }, { city: 'Boston', state: 'MA' }, { city: 'Seattle', state: 'WA' },
      { city: 'Denver', state: 'CO' }, { city: 'Atlanta', state: 'GA' },
    ],
  },
  { name: 'United Kingdom', weight: 10, effect: 0.2, tld: 'co.uk', companySuffixes: [' Ltd', ''], phone: (rng) => `+44 20 7946 0${digits(rng, 3)}`, places: [{ city: 'London', state: null }, { city: 'Manchester', state: null }, { city: 'Edinburgh', state: null }] },
  { name: 'Canada', weight: 7, effect: 0.2, tld: 'ca', companySuffixes: [' Inc.', ' Ltd.', ''], phone: northAmericanPhone, places: [{ city: 'Toronto', state: 'ON' }, { city: 'Vancouver', state: 'BC' }, { city: 'Montreal', state: 'QC' }] },
  { name: 'Germany', weight: 7, effect: 0.1, tld: 'de', companySuffixes: [' GmbH', ' AG'], phone: (rng) => `+49 30 901820${digits(rng, 2)}`, places: [{ city: 'Berlin', state: null }, { city: 'Munich', state: null }, { city: 'Hamburg', state: null }] },
  { name: 'France', weight: 5, effect: 0.05, tld: 'fr', companySuffixes: [' SAS', ' SA'], phone: (rng) => `+33 1 70 36 ${digits(rng, 2)} ${digits(rng, 2)}`, places: [{ city: 'Paris', state: null }, { city: 'Lyon', state: null }] },
  { name: 'Australia', weight: 5, effect: 0.2, tld: 'com.au', companySuffixes: [' Pty Ltd', ''], phone: (rng) => `+61 2 5550 ${digits(rng, 4)}`, places: [{ city: 'Sydney', state: 'NSW' }, { city: 'Melbourne', state: 'VIC' }] },
  { name: 'Netherlands', weight: 3, effect: 0.1, tld: 'nl', companySuffixes: [' B.V.', ''], phone: (rng) => `+31 20 555 ${digits(rng, 4)}`, places: [{ city: 'Amsterdam', state: null }, { city: 'Rotterdam', state: null }] },
  { name: 'India', weight: 6, effect: -0.35, tld: 'in', companySuffixes: [' Pvt Ltd', ''], phone: (rng) => `+91 80 5555 ${digits(rng, 4)}`, places: [{ city: 'Bengaluru', state: null }, { city: 'Mumbai', state: null }, { city: 'Pune', state: null }] },
  { name: 'Brazil', weight: 4, effect: -0.3, tld: 'com.br', companySuffixes: [' Ltda', ''], phone: (rng) => `+55 11 5555 ${digits(rng, 4)}`, places: [{ city: 'São Paulo', state: null }, { city: 'Rio de Janeiro', state: null }] },
  { name: 'Spain', weight: 3, effect: -0.05, tld: 'es', companySuffixes: [' S.L.', ''], phone: (rng) => `+34 91 555 ${digits(rng, 4)}`, places: [{ city: 'Madrid', state: null }, { city: 'Barcelona', state: null }] },
  { name: 'Singapore', weight: 2, effect: 0.1, tld: 'sg', companySuffixes: [' Pte Ltd'], phone: (rng) => `+65 6555 ${digits(rng, 4)}`, places: [{ city: 'Singapore', state: null }] },
  { name: 'Japan', weight: 3, effect: -0.1, tld: 'jp', companySuffixes: [' K.K.', ''], phone: (rng) => `+81 3 5555 ${digits(rng, 4)}`, places: [{ city: 'Tokyo', state: null }, { city: 'Osaka', state: null }] },
];

const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Andrea', 'Ben', 'Carla', 'Chen', 'Daniel', 'Diego', 'Elena', 'Emma', 'Fatima', 'Felix',
  'Grace', 'Hana', 'Ibrahim', 'Isabel', 'Jack', 'James', 'Julia', 'Kai', 'Laura', 'Leo', 'Lina', 'Lucas', 'Maya',
  'Mei', 'Michael', 'Nadia', 'Noah', 'Olivia', 'Omar', 'Paul', 'Rosa', 'Ravi', 'Sara', 'Sofia', 'Tariq', 'Thomas',
  'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zoe',
] as const;

const LAST_NAMES = [
  'Adams', 'Alvarez', 'Bauer', 'Brown', 'Chen', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Gupta', 'Hansen',
  'Ito', 'Jensen', 'Johnson', 'Kim', 'Kowalski', 'Larsen', 'Lee', 'Martin', 'Müller', 'Nakamura', 'Nguyen', "O'Brien",
  'Okafor', 'Patel', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Smith', 'Tanaka', 'Taylor', 'Walker', 'Wang', 'Williams',
  'Yilmaz', 'Zhang',
] as const;

const COMPANY_PREFIXES = [
  'North', 'Blue', 'Silver', 'Bright', 'Summit', 'Harbor', 'Iron', 'Cedar', 'Pioneer', 'Vertex', 'Atlas', 'Nimbus',
  'Quantum', 'Evergreen', 'Redwood', 'Granite', 'Lumen', 'Nova', 'Orion', 'Polar', 'Crescent', 'Falcon', 'Maple',
  'Sterling',
] as const;

const FREE_MAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'proton.me'] as const;

/** Vendor-site paths per page category (what `urlCategory` recognises). */
const SITE_PAGES: Record<PageCategory, readonly string[]> = {
  pricing: ['/pricing', '/pricing/enterprise', '/plans'],
  demo: ['/demo', '/request-demo', '/demo/thank-you'],
  docs: ['/docs/getting-started', '/docs/api/authentication', '/docs/integrations/salesforce'],
  blog: ['/blog/lead-scoring-101', '/blog/what-is-revops', '/blog/2026-state-of-sales-analytics'],
  careers: ['/careers', '/careers/senior-data-engineer'],
  contact: ['/contact', '/contact-sales'],
  product: ['/product/analytics', '/product/forecasting', '/product/integrations'],
  home: ['/'],
};

const DESCRIPTIONS = [
  'Asked about SSO and pricing for 50 seats.',
  'Met at the booth; evaluating two other vendors.',
  'Downloaded the ROI whitepaper.',
  'Wants a call after their budget review next quarter.',
  'Current tool contract ends in March.',
  'Referred by an existing customer.',
] as const;

/** Everything drawn for one lead, in plain values; each CRM view formats it its own way. */
interface LeadProfile {
  firstName: string;
  lastName: string;
  company: string;
  /** Lowercase company domain when the lead gave a corporate address. */
  domain: string | null;
  email: string | null;
  phone: string | null;
  title: string | null;
  seniority: SeniorityProfile | null;
  industry: IndustryProfile | null;
  employees: number | null;
  annualRevenue: number | null;
  country: CountryProfile | null;
  place: Place | null;
  channel: Channel;
  freeMail: boolean;
  createdAt: number;
  /** Web visits; null when the lead never visited the site. */
  visits: number | null;
  pageViews: number | null;
  conversionEvents: number | null;
  firstPage: string | null;
  lastPage: { category: PageCategory; path: string } | null;
  /** Marketing e-mail stats; null when HubSpot never sent the lead a marketing e-mail. */
  emailOpens: number | null;
  emailClicks: number | null;
  emailBounced: boolean | null;
  optedOut: boolean;
  lastActivityAt: number | null;
  owner: DemoOwner;
  description: string | null;
}

/** What happened after the lead came in: the outcome, and the fields reps fill afterwards. */
interface LeadOutcome {
  converted: boolean;
  convertedAt: number | null;
  lastModifiedAt: number;
  salesforceStatus: (typeof SALESFORCE_LEAD_STATUSES)[number];
  salesforceRating: (typeof SALESFORCE_RATINGS)[number] | null;
  lifecycleStage: (typeof HUBSPOT_LIFECYCLE_STAGES)[number];
  hubspotLeadStatus: (typeof HUBSPOT_LEAD_STATUSES)[number] | null;
}

const DAY_MS = 86_400_000;
/** Leads are created over the ~18 months before `now`. */
const HISTORY_DAYS = 540;

// ─── Drawing a lead ─────────────────────────────────────────────────────────────────────

function drawProfile(rng: Random, nowMs: number): LeadProfile {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const channel = rng.weighted(CHANNELS, (c) => c.weight);
  const seniorityDrawn = rng.weighted(SENIORITIES, (s) => s.weight);
  const country = rng.chance(0.12) ? null : rng.weighted(COUNTRIES, (c) => c.weight);
  const industry = rng.weighted(INDUSTRIES, (i) => i.weight);
  const employees = drawEmployees(rng, seniorityDrawn.level);
  const freeMail = rng.chance(freeMailChance(seniorityDrawn.level, employees));
  const companyName = freeMail && rng.chance(0.3) ? '[not provided]' : companyNameFor(rng, industry, country);
  const domain = freeMail ? null : `${slug(companyName)}.${country?.tld ?? 'com'}`;
  const createdAt = nowMs - rng.float() * HISTORY_DAYS * DAY_MS;
  // The latent interest drives every engagement count; conversion only sees the counts.
  const interest = rng.normal();
  const web = drawWebEngagement(rng, channel, seniorityDrawn.level, interest);
  const mail = drawEmailEngagement(rng, interest);

  return {
    firstName,
    lastName,
    company: companyName,
    domain,
    email: rng.chance(0.05) ? null : emailAddress(rng, firstName, lastName, domain),
    phone: rng.chance(0.25) ? null : (country ?? COUNTRIES[0]).phone(rng),
    title: rng.chance(freeMail ? 0.35 : 0.15) ? null : rng.pick(TITLES[seniorityDrawn.level]),
    seniority: seniorityDrawn,
    industry: rng.chance(freeMail ? 0.5 : 0.25) ? null : industry,
    employees,
    annualRevenue: drawAnnualRevenue(rng, employees, industry),
    country,
    place: country && !rng.chance(0.15) ? rng.pick(country.places) : null,
    channel,
    freeMail,
    createdAt,
    ...web,
    ...mail,
    lastActivityAt: drawLastActivity(rng, createdAt, nowMs, interest),
    owner: rng.pick(DEMO_OWNERS),
    description: rng.chance(0.22) ? rng.pick(DESCRIPTIONS) : null,
  };
}

/** Company size: log-normal around ~100 people; students and freelancers are tiny or blank. */
function drawEmployees(rng: Random, level: Seniority): number | null {
  const small = level === 'student' || level === 'other';
  if (rng.chance(small ? 0.5 : 0.22)) return null;
  const log10 = small ? rng.float() * 1.2 : clamp(2 + 0.9 * rng.normal(), 0, 5.3);
  return Math.max(1, Math.round(10 ** log10));
}

function freeMailChance(level: Seniority, employees: number | null): number {
  if (level === 'student' || level === 'other') return 0.7;
  if (employees === null) return 0.3;
  return employees < 10 ? 0.4 : 0.12;
}

/** Revenue ≈ head count × industry revenue per head; small companies rarely fill it in. */
function drawAnnualRevenue(rng: Random, employees: number | null, industry: IndustryProfile): number | null {
  const missingChance = employees === null ? 0.6 : employees < 20 ? 0.55 : employees < 200 ? 0.3 : 0.12;
  if (rng.chance(missingChance)) return null;
  const headCount = employees ?? rng.int(1, 50);
  return roundToTwoDigits(headCount * industry.revenuePerHead * rng.logNormal(0, 0.45));
}

function roundToTwoDigits(x: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.round(x / magnitude) * magnitude;
}

function companyNameFor(rng: Random, industry: IndustryProfile, country: CountryProfile | null): string {
  const suffix = rng.pick(country?.companySuffixes ?? ['']);
  return `${rng.pick(COMPANY_PREFIXES)} ${rng.pick(industry.companyWords)}${suffix}`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/\b(inc|llc|corp|ltd|gmbh|ag|sas|sa|pty|bv|b\.v|pvt|ltda|s\.l|pte|k\.k)\b\.?/g, '')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

function emailAddress(rng: Random, first: string, last: string, domain: string | null): string {
  const local = `${slug(first)}.${slug(last)}`;
  return domain ? `${local}@${domain}` : `${local}${rng.int(1, 99)}@${rng.pick(FREE_MAIL_DOMAINS)}`;
}

type WebEngagement = Pick<LeadProfile, 'visits' | 'pageViews' | 'conversionEvents' | 'firstPage' | 'lastPage'>;

function drawWebEngagement(rng: Random, channel: Channel, level: Seniority, interest: number): WebEngagement {
  if (!rng.chance(channel.visited)) {
    return { visits: null, pageViews: null, conversionEvents: null, firstPage: null, lastPage: null };
  }
  const visits = Math.min(250, 1 + Math.floor(rng.logNormal(0.5 + 0.7 * interest, 0.8)));
  const pageViews = visits + Math.floor(visits * rng.logNormal(0.3 + 0.2 * interest, 0.6));
  const formChance = sigmoid(-0.8 + 1.1 * interest);
  const conversionEvents = (channel.inbound ? 1 : 0) + (rng.chance(formChance) ? rng.int(1, 4) : 0);
  const lastCategory = drawLastPageCategory(rng, level, interest);
  return {
    visits,
    pageViews,
    conversionEvents,
    firstPage: landingPage(rng, channel),
    lastPage: { category: lastCategory, path: rng.pick(SITE_PAGES[lastCategory]) },
  };
}

/** Interested leads end on pricing and demo pages; juniors and students wander to careers. */
function drawLastPageCategory(rng: Random, level: Seniority, interest: number): PageCategory {
  const jobSeeker = level === 'student' || level === 'individual' ? 2.5 : 0.6;
  const weights: Record<PageCategory, number> = {
    pricing: 2 * Math.exp(0.7 * interest),
    demo: 1.2 * Math.exp(0.9 * interest),
    contact: 0.8 * Math.exp(0.5 * interest),
    product: 2.5,
    docs: 1.5,
    blog: 3 * Math.exp(-0.3 * interest),
    careers: jobSeeker * Math.exp(-0.4 * interest),
    home: 2,
  };
  return rng.weighted(Object.keys(weights) as PageCategory[], (c) => weights[c]);
}

/** First page seen: where the channel lands people, with campaign tags on paid traffic. */
function landingPage(rng: Random, channel: Channel): string {
  switch (channel.hubspot) {
    case 'PAID_SEARCH':
      return `${rng.pick(SITE_PAGES.product)}?utm_source=google&utm_medium=cpc&utm_campaign=brand`;
    case 'PAID_SOCIAL':
      return `${rng.pick(SITE_PAGES.blog)}?utm_source=linkedin&utm_medium=paid_social`;
    case 'ORGANIC_SEARCH':
    case 'SOCIAL_MEDIA':
      return rng.pick([...SITE_PAGES.blog, ...SITE_PAGES.docs, '/']);
    case 'EMAIL_MARKETING':
      return `${rng.pick(SITE_PAGES.blog)}?utm_source=newsletter&utm_medium=email`;
    default:
      return rng.pick(['/', ...SITE_PAGES.product, ...SITE_PAGES.pricing]);
  }
}

type EmailEngagement = Pick<LeadProfile, 'emailOpens' | 'emailClicks' | 'emailBounced' | 'optedOut'>;

function drawEmailEngagement(rng: Random, interest: number): EmailEngagement {
  const optedOut = rng.chance(0.07);
  if (rng.chance(0.25)) return { emailOpens: null, emailClicks: null, emailBounced: null, optedOut };
  const bounced = rng.chance(0.03);
  const opens = bounced ? 0 : Math.floor(rng.logNormal(0.8 + 0.6 * interest, 0.9) * (optedOut ? 0.3 : 1));
  const clickRate = sigmoid(-1.6 + 0.7 * interest);
  let clicks = 0;
  for (let i = 0; i < opens; i++) if (rng.chance(clickRate)) clicks++;
  return { emailOpens: opens, emailClicks: clicks, emailBounced: bounced, optedOut };
}

/** Last logged activity: engaged leads were touched recently; a third were never touched. */
function drawLastActivity(rng: Random, createdAt: number, nowMs: number, interest: number): number | null {
  if (rng.chance(sigmoid(-0.7 - 0.6 * interest))) return null;
  const position = sigmoid(0.5 + 1.1 * interest + 1.2 * rng.normal()); // 0 = at creation, 1 = now
  return createdAt + position * (nowMs - createdAt);
}

// ─── Why a lead converts ────────────────────────────────────────────────────────────────

/** Chosen so that ~10 % of leads convert (checked by the tests). */
const CONVERSION_INTERCEPT = -3.94;

function fitScore(p: LeadProfile): number {
  let score = p.channel.effect;
  score += p.industry?.effect ?? -0.2;
  score += p.title === null ? -0.2 : (p.seniority?.effect ?? 0);
  score += p.country?.effect ?? -0.2;
  score += p.freeMail ? -0.9 : 0;
  score += companySizeEffect(p.employees);
  // Revenue beyond what the head count suggests: a richer buyer.
  if (p.annualRevenue !== null && p.employees !== null) {
    score += clamp(0.3 * Math.log(p.annualRevenue / (p.employees * 180_000)), -0.3, 0.3);
  }
  return score;
}

/** Mid-market and enterprise buy; one-person shops rarely do. */
function companySizeEffect(employees: number | null): number {
  if (employees === null) return -0.3;
  if (employees < 10) return -0.8;
  if (employees < 50) return -0.2;
  if (employees < 500) return 0.3;
  if (employees < 5000) return 0.6;
  return 0.3;
}

const PAGE_EFFECT: Record<PageCategory, number> = {
  demo: 1.2, pricing: 0.9, contact: 0.6, product: 0.3, docs: 0.2, home: 0, blog: -0.1, careers: -1.0,
};

function engagementScore(p: LeadProfile, nowMs: number): number {
  let score = 0;
  if (p.visits === null || p.pageViews === null) score -= 0.3;
  else score += 0.45 * Math.log1p(p.visits) + 0.2 * Math.log(p.pageViews / p.visits) - 0.3;
  score += 0.35 * Math.min(p.conversionEvents ?? 0, 4);
  if (p.emailOpens !== null && p.emailClicks !== null) {
    score += 0.12 * Math.log1p(p.emailOpens) + 0.35 * Math.log1p(p.emailClicks);
  }
  score += p.lastPage ? PAGE_EFFECT[p.lastPage.category] : -0.2;
  score += recencyEffect(p.lastActivityAt, nowMs);
  if (p.optedOut) score -= 0.4;
  return score;
}

function recencyEffect(lastActivityAt: number | null, nowMs: number): number {
  if (lastActivityAt === null) return -0.4;
  const days = (nowMs - lastActivityAt) / DAY_MS;
  if (days <= 7) return 0.7;
  if (days <= 30) return 0.4;
  if (days <= 90) return 0;
  return -0.4;
}

/** 0.3 … 1.7: engagement from a senior buyer at a big company counts far more (the interaction). */
function engagementWeight(p: LeadProfile): number {
  const authority = p.title === null ? 0.3 : (p.seniority?.authority ?? 0.3);
  const employees = p.employees;
  const size = employees === null ? 0.5 : employees >= 200 ? 1 : employees >= 50 ? 0.8 : employees >= 10 ? 0.6 : 0.4;
  return 0.3 + 1.4 * authority * size;
}

/** Brand-new leads have not had time to convert yet. */
function ageEffect(createdAt: number, nowMs: number): number {
  const days = (nowMs - createdAt) / DAY_MS;
  return days < 21 ? -1.5 * (1 - days / 21) : 0;
}

function conversionLogit(rng: Random, p: LeadProfile, nowMs: number): number {
  return (
    CONVERSION_INTERCEPT +
    fitScore(p) +
    engagementWeight(p) * engagementScore(p, nowMs) +
    ageEffect(p.createdAt, nowMs) +
    0.6 * rng.normal()
  );
}

// ─── What reps fill in afterwards (leakage) ─────────────────────────────────────────────

function drawOutcome(rng: Random, p: LeadProfile, converted: boolean, nowMs: number): LeadOutcome {
  const touchedAt = Math.max(p.createdAt, p.lastActivityAt ?? 0);
  if (converted) {
    const convertedAt = Math.min(nowMs - 3_600_000, p.createdAt + rng.logNormal(2.8, 0.7) * DAY_MS);
    return {
      converted,
      convertedAt: Math.max(p.createdAt, convertedAt),
      lastModifiedAt: Math.min(nowMs, Math.max(touchedAt, convertedAt) + rng.float() * DAY_MS),
      salesforceStatus: 'Closed - Converted',
      salesforceRating: rng.weighted(SALESFORCE_RATINGS, (r) => ({ Hot: 60, Warm: 35, Cold: 5 })[r]),
      lifecycleStage: rng.chance(0.6) ? 'opportunity' : 'customer',
      hubspotLeadStatus: rng.chance(0.8) ? 'OPEN_DEAL' : 'CONNECTED',
    };
  }
  const contacted = p.lastActivityAt !== null;
  const stale = contacted && nowMs - touchedAt > 45 * DAY_MS;
  const engaged = (p.conversionEvents ?? 0) >= 2 || p.lastPage?.category === 'pricing' || p.lastPage?.category === 'demo';
  return {
    converted,
    convertedAt: null,
    lastModifiedAt: Math.min(nowMs, touchedAt + rng.float() * 3 * DAY_MS),
    salesforceStatus: !contacted ? 'Open - Not Contacted' : stale ? 'Closed - Not Converted' : 'Working - Contacted',
    salesforceRating: contacted && rng.chance(0.8) ? rng.weighted(SALESFORCE_RATINGS, (r) => ({ Hot: 10, Warm: 40, Cold: 50 })[r]) : null,
    lifecycleStage: engaged ? (contacted && !stale && rng.chance(0.4) ? 'salesqualifiedlead' : 'marketingqualifiedlead') : p.conversionEvents ? 'lead' : 'subscriber',
    hubspotLeadStatus: rng.chance(0.15) ? null : openLeadStatus(rng, contacted, stale),
  };
}

function openLeadStatus(rng: Random, contacted: boolean, stale: boolean): (typeof HUBSPOT_LEAD_STATUSES)[number] {
  if (!contacted) return rng.chance(0.8) ? 'NEW' : 'OPEN';
  if (stale) return rng.pick(['UNQUALIFIED', 'BAD_TIMING', 'ATTEMPTED_TO_CONTACT'] as const);
  return rng.pick(['IN_PROGRESS', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'OPEN'] as const);
}

// ─── The two CRM views ──────────────────────────────────────────────────────────────────

/** Salesforce REST date-time: `2026-03-14T09:12:44.000+0000` (whole seconds, as stored). */
export function salesforceDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');
}

const salesforceDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const hubspotDateTime = (ms: number): string => new Date(Math.floor(ms)).toISOString();
const text = (value: number | boolean | null): string | null => (value === null ? null : String(value));

function salesforceView(id: string, p: LeadProfile, o: LeadOutcome): SalesforceLead {
  return {
    Id: id,
    FirstName: p.firstName,
    LastName: p.lastName,
    Name: `${p.firstName} ${p.lastName}`,
    Company: p.company,
    Title: p.title,
    Email: p.email,
    Phone: p.phone,
    Website: p.domain ? `www.${p.domain}` : null,
    LeadSource: p.channel.salesforce,
    Industry: p.industry?.name ?? null,
    AnnualRevenue: p.annualRevenue,
    NumberOfEmployees: p.employees,
    Country: p.country?.name ?? null,
    State: p.place?.state ?? null,
    City: p.place?.city ?? null,
    Status: o.salesforceStatus,
    Rating: o.salesforceRating,
    CreatedDate: salesforceDateTime(p.createdAt),
    LastActivityDate: p.lastActivityAt === null ? null : salesforceDate(p.lastActivityAt),
    LastModifiedDate: salesforceDateTime(o.lastModifiedAt),
    SystemModstamp: salesforceDateTime(o.lastModifiedAt),
    HasOptedOutOfEmail: p.optedOut,
    IsConverted: o.converted,
    ConvertedDate: o.convertedAt === null ? null : salesforceDate(o.convertedAt),
    OwnerId: p.owner.salesforceId,
    Description: p.description,
  };
}

function hubspotView(id: string, p: LeadProfile, o: LeadOutcome): HubSpotProperties {
  return {
    hs_object_id: id,
    firstname: p.firstName,
    lastname: p.lastName,
    email: p.email,
    company: p.company === '[not provided]' ? null : p.company,
    jobtitle: p.title,
    phone: p.phone,
    website: p.domain ? `http://www.${p.domain}` : null,
    industry: p.industry?.name ?? null,
    numemployees: p.employees === null ? null : employeeRange(p.employees),
    annualrevenue: text(p.annualRevenue),
    country: p.country?.name ?? null,
    state: p.place?.state ?? null,
    city: p.place?.city ?? null,
    hs_analytics_source: p.channel.hubspot,
    hs_analytics_num_visits: text(p.visits),
    hs_analytics_num_page_views: text(p.pageViews),
    num_conversion_events: text(p.conversionEvents),
    hs_email_open: text(p.emailOpens),
    hs_email_click: text(p.emailClicks),
    hs_email_bounce: p.emailBounced === null ? null : p.emailBounced ? '1' : '0',
    hs_analytics_first_url: p.firstPage === null ? null : DEMO_VENDOR_SITE + p.firstPage,
    hs_analytics_last_url: p.lastPage === null ? null : DEMO_VENDOR_SITE + p.lastPage.path,
    lifecyclestage: o.lifecycleStage,
    hs_lead_status: o.hubspotLeadStatus,
    createdate: hubspotDateTime(p.createdAt),
    lastmodifieddate: hubspotDateTime(o.lastModifiedAt),
    hs_lastmodifieddate: hubspotDateTime(o.lastModifiedAt),
    notes_last_updated: p.lastActivityAt === null ? null : hubspotDateTime(p.lastActivityAt),
    hs_email_optout: String(p.optedOut),
    hubspot_owner_id: p.owner.hubspotId,
  };
}

/** The `numemployees` option HubSpot records a head count as: the last whose lower end it reaches (the first below them all). */
export function employeeRange(employees: number): (typeof HUBSPOT_EMPLOYEE_RANGES)[number] {
  const index = HUBSPOT_EMPLOYEE_RANGES.findLastIndex((option) => parseNumber(option) <= employees);
  return HUBSPOT_EMPLOYEE_RANGES[Math.max(0, index)];
}

// ─── Public API ─────────────────────────────────────────────────────────────────────────

/** `count` leads that exist in both CRMs; the same options always give the same leads. */
export function generateDemoLeads({ count = 5000, seed = 42, now = new Date() }: GenerateOptions = {}): DemoLead[] {
  const nowMs = now.getTime();
  return Array.from({ length: count }, (_, index) => {
    const rng = new Random(leadSeed(seed, index));
    const profile = drawProfile(rng, nowMs);
    const converted = rng.chance(sigmoid(conversionLogit(rng, profile, nowMs)));
    const outcome = drawOutcome(rng, profile, converted, nowMs);
    const salesforceId = leadId(index);
    const hubspotId = contactId(index);
    return {
      salesforceId,
      hubspotId,
      converted,
      salesforce: salesforceView(salesforceId, profile, outcome),
      hubspot: hubspotView(hubspotId, profile, outcome),
    };
  });
}

/** The records PAGES.md promises for tests; kept apart so they never enter training data. */
export function specialDemoLeads(now: Date): DemoLead[] {
  const [template] = generateDemoLeads({ count: 1, seed: 7, now });
  const xss = withIds(template, SPECIAL_LEAD_IDS.xss);
  xss.salesforce = { ...xss.salesforce, Title: XSS_PAYLOAD, Company: XSS_PAYLOAD };
  xss.hubspot = { ...xss.hubspot, jobtitle: XSS_PAYLOAD, company: XSS_PAYLOAD };
  const noDetails = withIds(template, SPECIAL_LEAD_IDS.noDetails);
  noDetails.salesforce = { ...noDetails.salesforce, FirstName: 'Empty', LastName: 'Details', Name: 'Empty Details' };
  noDetails.hubspot = { ...noDetails.hubspot, firstname: 'Empty', lastname: 'Details' };
  return [xss, noDetails];
}

function withIds(lead: DemoLead, ids: { salesforce: string; hubspot: string }): DemoLead {
  return {
    ...lead,
    salesforceId: ids.salesforce,
    hubspotId: ids.hubspot,
    salesforce: { ...lead.salesforce, Id: ids.salesforce },
    hubspot: { ...lead.hubspot, hs_object_id: ids.hubspot },
  };
}

// ─── Training history ───────────────────────────────────────────────────────────────────

/** The feature spec of the default demo model (`models/demo-features.json`). */
export const DEMO_FEATURE_SPECS = FeatureSpecListSchema.parse(demoFeatureSpecJson);

/** `crm`, the distinct CSV columns the features read (in spec order), then `converted`. */
export const DEMO_HISTORY_COLUMNS: readonly string[] = [
  'crm',
  ...new Set(DEMO_FEATURE_SPECS.flatMap((spec) => fieldSourcesOf(spec.derive)).flatMap((s) => (s.csv ? [s.csv] : []))),
  'converted',
];

/** CSV column → the field each CRM holds it in (absent when that CRM lacks it). */
const COLUMN_SOURCES = new Map<string, FieldSources>(
  DEMO_FEATURE_SPECS.flatMap((spec) => fieldSourcesOf(spec.derive)).flatMap((s) => (s.csv ? [[s.csv, s] as const] : [])),
);

export type DemoHistoryRow = Record<string, string>;

/**
 * The demo history the bundled model is trained on: one row per lead, even-indexed leads
 * as Salesforce gives them, odd-indexed as HubSpot does; blank where that CRM lacks a value.
 */
export function demoHistoryRows(options: GenerateOptions = {}): DemoHistoryRow[] {
  return generateDemoLeads(options).map((lead, index) => {
    const crm = index % 2 === 0 ? 'salesforce' : 'hubspot';
    const row: DemoHistoryRow = { crm };
    for (const column of DEMO_HISTORY_COLUMNS.slice(1, -1)) {
      row[column] = cellValue(lead, crm, COLUMN_SOURCES.get(column) ?? {});
    }
    row.converted = lead.converted ? '1' : '0';
    return row;
  });
}

function cellValue(lead: DemoLead, crm: 'salesforce' | 'hubspot', sources: FieldSources): string {
  const field = sources[crm];
  if (field === undefined) return '';
  const value = crm === 'salesforce'
    ? (lead.salesforce as Record<string, SalesforceValue>)[field]
    : (lead.hubspot as Record<string, string | null>)[field];
  return value === null || value === undefined ? '' : String(value);
}
