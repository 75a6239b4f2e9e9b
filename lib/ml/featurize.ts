/**
 * Featurization shared by training and scoring: one function turns a lead's raw fields
 * into the model's `features` row, so there is no training/serving skew. Pure, no Node APIs.
 *
 * Row layout: float32 [F], F = features.length, in manifest order. Numeric and boolean
 * features are values; categorical features are integer codes into `feature.vocabulary`
 * (unseen levels → `feature.otherCode`); missing is NaN (the model learns what it means).
 */
import { crmFieldNamesOf } from '../crm/export-headers';
import type { SOURCE_KINDS } from '../crm/types';
import type { Derive, Feature, FieldSources } from './manifest';
import {
  DAY_NAMES,
  EMAIL_DOMAIN_KIND_SHOWN,
  SENIORITY_RANK,
  SENIORITY_SHOWN,
  daysSince,
  emailDomain,
  emailDomainKind,
  parseBoolean,
  parseDate,
  parseNumber,
  rawText,
  titleSeniority,
  urlCategory,
  URL_CATEGORIES,
  URL_CATEGORY_SHOWN,
  type Seniority,
} from './derive';

export type RawValue = string | number | boolean | null | undefined;
export type RawRecord = Record<string, RawValue>; // field/property/column name → raw value
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** The key of `record` that holds field `name`: the name itself, else one that matches it case-insensitively; undefined when none does. */
export function recordKey(record: RawRecord, name: string): string | undefined {
  // Own fields only: a record lacking a field named "constructor" must not read Object's.
  if (Object.hasOwn(record, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}

/**
 * A file's header as scoring reads it: its columns, their `columnKey`s, and the column found for
 * each field source asked (`sourceFieldKey`; null for none), so that a file's 100,000 leads work
 * out a column under another name once, not once per lead.
 */
interface Header {
  readonly columns: readonly string[];
  readonly keys: readonly string[];
  readonly found: WeakMap<FieldSources, string | null>;
}
/** `columnKey` of the column names met: many headers share their columns (leads of one file with cells left out). */
const columnKeysMet = new Map<string, string>();
/** Past this many names the memo starts again: a name is worked out again at worst. */
const COLUMN_KEYS_KEPT = 10_000;
function memoColumnKey(column: string): string {
  let key = columnKeysMet.get(column);
  if (key === undefined) {
    if (columnKeysMet.size >= COLUMN_KEYS_KEPT) columnKeysMet.clear();
    key = columnKey(column);
    columnKeysMet.set(column, key);
  }
  return key;
}

/** The headers met, by their columns: bulk scoring may read the leads of several files in turn. */
const headersMet = new Map<string, Header>();
/** Past this many headers the memo starts again: a header is worked out again at worst. */
const HEADERS_KEPT = 100;
/** The header met last: a file's leads come one after another, and this one needs no lookup by its columns. */
let lastHeader: Header | undefined;

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function headerOf(record: RawRecord): Header {
  const columns = Object.keys(record);
  if (lastHeader !== undefined && sameColumns(columns, lastHeader.columns)) return lastHeader;
  const id = JSON.stringify(columns);
  let header = headersMet.get(id);
  if (header === undefined) {
    if (headersMet.size >= HEADERS_KEPT) headersMet.clear();
    header = { columns, keys: columns.map(memoColumnKey), found: new WeakMap() };
    headersMet.set(id, header);
  }
  return (lastHeader = header);
}

/** `columnKey`s of `from`'s CRM names (`crmFieldNamesOf`, some 40 of a created date's): worked out once per field source, not per header. */
const crmColumnKeysMet = new WeakMap<FieldSources, ReadonlySet<string>>();
function crmColumnKeysOf(from: FieldSources): ReadonlySet<string> {
  let keys = crmColumnKeysMet.get(from);
  if (keys === undefined) crmColumnKeysMet.set(from, (keys = new Set(crmFieldNamesOf(from).map(memoColumnKey).filter((key) => key !== ''))));
  return keys;
}

/** The column of `header` that holds `from`'s CSV column `name`, the file having none of that very name (see `sourceFieldKey`); null when none does. */
function columnFor(header: Header, name: string, from: FieldSources): string | null {
  const lower = name.toLowerCase();
  const byCase = header.columns.find((column) => column.toLowerCase() === lower);
  if (byCase !== undefined) return byCase;
  // A name of no letter or digit names no column (as `suggestField` takes it).
  const wanted = memoColumnKey(name);
  const byKey = wanted === '' ? -1 : header.keys.indexOf(wanted);
  if (byKey >= 0) return header.columns[byKey];
  const crmNames = crmColumnKeysOf(from);
  const byCrmName = header.keys.findIndex((key) => crmNames.has(key));
  return byCrmName >= 0 ? header.columns[byCrmName] : null;
}

/**
 * The key of `record` that holds `from`'s field for `source`: `recordKey`'s, else, for a CSV
 * column, the first column of the same name by `columnKey` ("Annual Revenue" for `annual_revenue`),
 * the name the import's mapping tells a file's columns by ("Train on your history" maps its
 * features to them by `looseKey`, likewise), else the first headed by a name of the feature's CRM
 * fields (`crmFieldNamesOf`: a Salesforce report's "No. of Employees", a HubSpot export's
 * "Country/Region"), the names training maps a catalogue feature by (its `fieldFor` may pick
 * another of two such columns, whose name the model then keeps and finds first). A file's header is
 * written by whoever exported it; a CRM's fields are its API's names, matched as before. Training
 * and scoring both read through here (`readRaw`): a CSV lead gives a model the same values either
 * way, and a model trained on a file reads its columns by their own names, found first.
 */
export function sourceFieldKey(record: RawRecord, from: FieldSources, source: SourceKind): string | undefined {
  const name = from[source];
  if (name === undefined) return undefined;
  if (source !== 'csv') return recordKey(record, name);
  // Own fields only, as `recordKey`: a file lacking a column named "constructor" must not read Object's.
  if (Object.hasOwn(record, name)) return name;
  const header = headerOf(record);
  let found = header.found.get(from);
  if (found === undefined) header.found.set(from, (found = columnFor(header, name, from)));
  return found ?? undefined;
}

/** The feature's raw value in `record` for `source` (see `sourceFieldKey`). */
export function readRaw(record: RawRecord, from: FieldSources, source: SourceKind): RawValue {
  const key = sourceFieldKey(record, from, source);
  return key === undefined ? undefined : record[key];
}

/** Whether `source` has a field for the feature (a ratio needs both of its parts). */
export function sourceSupplies(feature: Pick<Feature, 'derive'>, source: SourceKind): boolean {
  const d = feature.derive;
  if (d.kind === 'ratio') return d.numerator[source] !== undefined && d.denominator[source] !== undefined;
  return d.from[source] !== undefined;
}

/**
 * Minutes this browser's clock (its time zone, summer time included) is ahead of UTC at `at`:
 * the rep's, whose today a date alone counts calendar days to when scoring (`daysSince`).
 */
export const localUtcOffsetMinutes = (at: Date) => -at.getTimezoneOffset();

/**
 * A categorical feature's level as text before vocabulary lookup (the raw category, the
 * day name, the seniority level, …), or null when missing. Training builds the vocabulary
 * from exactly these strings. `utcOffsetMinutes`: see `featureNumber`.
 */
export function featureLevel(
  record: RawRecord,
  feature: Pick<Feature, 'derive' | 'missingValues'>,
  source: SourceKind,
  now: Date,
  utcOffsetMinutes = localUtcOffsetMinutes(now),
): string | null {
  const d = feature.derive;
  const missing = feature.missingValues ?? [];
  switch (d.kind) {
    case 'value':
      return rawText(readRaw(record, d.from, source), missing);
    case 'dayOfWeek': {
      const t = parseDate(readRaw(record, d.from, source), missing);
      return Number.isFinite(t) ? DAY_NAMES[new Date(t).getUTCDay()] : null;
    }
    case 'titleSeniority':
      return titleSeniority(rawText(readRaw(record, d.from, source), missing));
    case 'urlCategory':
      return urlCategory(rawText(readRaw(record, d.from, source), missing));
    case 'emailDomainKind':
      return emailDomainKind(rawText(readRaw(record, d.from, source), missing));
    case 'daysSince':
    case 'ratio': {
      const v = featureNumber(record, feature, source, now, utcOffsetMinutes);
      return Number.isFinite(v) ? String(v) : null;
    }
  }
}

/** The largest float32: the model input holds any larger number as ±Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** NaN (missing) for a number the float32 model input cannot hold, as the side panel reads it. */
const withinFloat32 = (value: number) => (Math.abs(value) > FLOAT32_MAX ? NaN : value);

/** A ratio's two numbers as featurization reads them (NaN when missing), e.g. to check a change keeps clicks ≤ opens. */
export function ratioParts(
  record: RawRecord,
  ratio: Extract<Derive, { kind: 'ratio' }>,
  missingValues: readonly string[],
  source: SourceKind,
): { numerator: number; denominator: number } {
  return {
    numerator: parseNumber(readRaw(record, ratio.numerator, source), missingValues),
    denominator: parseNumber(readRaw(record, ratio.denominator, source), missingValues),
  };
}

/**
 * A numeric (or boolean) feature's value, NaN when missing. A "days since" is measured at `now`;
 * a date alone counts calendar days to the date a clock `utcOffsetMinutes` ahead of UTC shows
 * then (`daysSince`): by default this browser's, the rep's own.
 */
export function featureNumber(
  record: RawRecord,
  feature: Pick<Feature, 'derive' | 'missingValues'> & { type?: Feature['type'] },
  source: SourceKind,
  now: Date,
  utcOffsetMinutes = localUtcOffsetMinutes(now),
): number {
  const d = feature.derive;
  const missing = feature.missingValues ?? [];
  switch (d.kind) {
    case 'value': {
      const raw = readRaw(record, d.from, source);
      if (feature.type === 'boolean') return parseBoolean(raw, missing);
      return withinFloat32(parseNumber(raw, missing));
    }
    case 'daysSince':
      return daysSince(readRaw(record, d.from, source), now.getTime(), utcOffsetMinutes, missing);
    case 'dayOfWeek': {
      const t = parseDate(readRaw(record, d.from, source), missing);
      return Number.isFinite(t) ? new Date(t).getUTCDay() : NaN;
    }
    case 'ratio': {
      const { numerator, denominator } = ratioParts(record, d, missing, source);
      if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return NaN;
      return withinFloat32(numerator / denominator);
    }
    case 'titleSeniority': {
      const level = titleSeniority(rawText(readRaw(record, d.from, source), missing));
      return level === null ? NaN : SENIORITY_RANK[level as Seniority];
    }
    case 'urlCategory': {
      const level = urlCategory(rawText(readRaw(record, d.from, source), missing));
      return level === null ? NaN : URL_CATEGORIES.indexOf(level);
    }
    case 'emailDomainKind': {
      // as a number / boolean: 1 = free e-mail, 0 = corporate
      const kind = emailDomainKind(rawText(readRaw(record, d.from, source), missing));
      return kind === null ? NaN : kind === 'free' ? 1 : 0;
    }
  }
}

/**
 * The code of a level in a categorical feature's vocabulary: exact, then case-insensitive,
 * then ignoring everything but letters and digits, else otherCode / NaN. The loose match
 * is for CRM pages that show a picklist's label where the API gives its value (HubSpot
 * shows "Organic Search" for ORGANIC_SEARCH).
 */
const lookupCache = new WeakMap<readonly string[], Map<string, number>[]>();
/**
 * `text` lower-cased with everything but letters and digits of any script taken out: `Lead Source`,
 * `lead_source` → `leadsource`, `売上 高` → `売上高`. The marks written on letters stay: in Indic
 * scripts they are the vowels (`दिन`, day, is not `दान`, donation).
 */
export const looseKey = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, '');

/**
 * A column name without case, accents, spaces or punctuation (`looseKey` after dropping accents),
 * so "Date de création", "date_de_creation" and "DATE DE CRÉATION" are one name. Full-width
 * letters, as Japanese files may write "ＩＤ", read as their plain ones. A number sign stays:
 * "Owner #" holds the owner's number, not the owner. How the CSV import's mapping and scoring
 * (`sourceFieldKey`) tell a file's columns by name.
 */
export const columnKey = (column: string) =>
  column.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').normalize('NFC').split('#').map(looseKey).join('#');

/** How closely two spellings of a level are compared, closest first: exact, case-insensitive, letters and digits only. */
export const LEVEL_KEYS: readonly ((level: string) => string)[] = [(level) => level, (level) => level.toLowerCase(), looseKey];

export function levelCode(level: string | null, feature: Pick<Feature, 'vocabulary' | 'otherCode'>): number {
  if (level === null) return NaN;
  const vocab = feature.vocabulary;
  if (!vocab || vocab.length === 0) return NaN;
  let maps = lookupCache.get(vocab);
  if (!maps) {
    maps = LEVEL_KEYS.map((key) => {
      const map = new Map<string, number>();
      vocab.forEach((v, i) => {
        if (!map.has(key(v))) map.set(key(v), i);
      });
      return map;
    });
    lookupCache.set(vocab, maps);
  }
  for (let k = 0; k < LEVEL_KEYS.length; k++) {
    const hit = maps[k].get(LEVEL_KEYS[k](level));
    if (hit !== undefined) return hit;
  }
  return feature.otherCode ?? NaN;
}

/** One feature's model input value (float64; the row stores it as float32). `utcOffsetMinutes`: see `featureNumber`. */
export function featureValue(record: RawRecord, feature: Feature, source: SourceKind, now: Date, utcOffsetMinutes = localUtcOffsetMinutes(now)): number {
  if (feature.type === 'categorical') return levelCode(featureLevel(record, feature, source, now, utcOffsetMinutes), feature);
  return featureNumber(record, feature, source, now, utcOffsetMinutes);
}

/**
 * One lead → one row [F]; NaN = missing. `now` is the time "days since" is measured from, a date
 * alone counted on a clock `utcOffsetMinutes` ahead of UTC (see `featureNumber`).
 */
export function featurizeRecord(record: RawRecord, features: Feature[], source: SourceKind, now: Date, utcOffsetMinutes = localUtcOffsetMinutes(now)): Float32Array {
  const row = new Float32Array(features.length); // [F]
  for (let f = 0; f < features.length; f++) row[f] = featureValue(record, features[f], source, now, utcOffsetMinutes);
  return row;
}

/** Many leads → row-major [N * F]; `now` and `utcOffsetMinutes` as for `featurizeRecord`. */
export function featurizeRecords(records: RawRecord[], features: Feature[], source: SourceKind, now: Date, utcOffsetMinutes = localUtcOffsetMinutes(now)): Float32Array {
  const F = features.length;
  const out = new Float32Array(records.length * F); // [N, F]
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    for (let f = 0; f < F; f++) out[i * F + f] = featureValue(r, features[f], source, now, utcOffsetMinutes);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading values as a rep would

const CURRENCY_UNITS: Record<string, string> = { $: '$', usd: '$', eur: '€', '€': '€', gbp: '£', '£': '£', inr: '₹', '₹': '₹' };

/** The ISO code of each currency sign `formatNumber` writes: "$" is the US dollar, as it writes a "USD" unit. */
const CURRENCY_CODES: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '₹': 'INR' };

/** The ISO code of a currency unit ("USD", "usd", "€" → "EUR"); null for a unit that is no currency ("days") or none. */
export function currencyCode(unit: string | undefined): string | null {
  const key = unit?.toLowerCase();
  return key !== undefined && Object.hasOwn(CURRENCY_UNITS, key) ? CURRENCY_CODES[CURRENCY_UNITS[key]] : null;
}

/**
 * The en-US number format of at most `digits` decimals, made once per count: `toLocaleString`
 * makes a new one on every call (~30 µs), and an explanation formats thousands of numbers.
 */
const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormatWith(digits: number): Intl.NumberFormat {
  let format = numberFormats.get(digits);
  if (!format) numberFormats.set(digits, (format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })));
  return format;
}

/**
 * A number as a rep reads it: thousands separators, at most 2 decimals (plus `extraDigits`),
 * with its unit ("$1,200,000", "12 days").
 */
export function formatNumber(value: number, unit?: string, extraDigits = 0): string {
  if (!Number.isFinite(value)) return '';
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) ? 0 : (abs >= 100 ? 0 : abs >= 1 ? 1 : 2) + extraDigits;
  const text = numberFormatWith(digits).format(value);
  if (!unit) return text;
  const cur = CURRENCY_UNITS[unit.toLowerCase()];
  if (cur) return value < 0 ? `-${cur}${text.slice(1)}` : `${cur}${text}`;
  if (unit === '%') return `${text}%`;
  if (/^days?$/i.test(unit)) return `${text} ${value === 1 ? 'day' : 'days'}`;
  return `${text} ${unit}`;
}

/** More digits than this do not tell two ends of a bin apart for a rep. */
const MAX_EXTRA_DIGITS = 4;

/** The fewest extra digits (up to MAX_EXTRA_DIGITS) at which each two neighbours of `values` read apart ("0.113", "0.115", not "0.11" twice). */
export function digitsTellingApart(values: readonly number[], from = 0): number {
  let extra = from;
  const sameAsNext = (value: number, i: number) => i + 1 < values.length && formatNumber(value, undefined, extra) === formatNumber(values[i + 1], undefined, extra);
  while (extra < MAX_EXTRA_DIGITS && values.some(sameAsNext)) extra++;
  return extra;
}

/**
 * A range as a rep reads it: the unit once, at the end ("3 – 5 days"), a currency on both
 * ends ("$1,000 – $2,000"); with `extra` digits at least, and more when its ends would read
 * the same ("0.11 – 0.11").
 */
export function formatNumberRange(low: number, high: number, unit?: string, extra = 0): string {
  const currency = unit !== undefined && CURRENCY_UNITS[unit.toLowerCase()] !== undefined;
  const digits = digitsTellingApart([low, high], extra);
  return `${formatNumber(low, currency ? unit : undefined, digits)} – ${formatNumber(high, unit, digits)}`;
}

/** A choice field's `value` as `source`'s pages label it (`SOCIAL_MEDIA` → "Organic Social"), else (no source: the Model report) as it is. */
function shownLabel(value: string | null, derive: Extract<Derive, { kind: 'value' }>, source: SourceKind | undefined): string | null {
  const labels = source === undefined || source === 'csv' ? undefined : derive.optionLabels?.[source];
  return value !== null && labels && Object.hasOwn(labels, value) ? labels[value] : value;
}

/** The words of the levels LeadLens derives, by derivation; a day's name is a word already. */
const DERIVED_LEVELS_SHOWN: Partial<Record<Derive['kind'], Readonly<Record<string, string>>>> = {
  titleSeniority: SENIORITY_SHOWN,
  urlCategory: URL_CATEGORY_SHOWN,
  emailDomainKind: EMAIL_DOMAIN_KIND_SHOWN,
};

/**
 * A level `derive` made ("vp", "pricing", "free") as a rep reads it ("VP", "Pricing page", "Free
 * e-mail"); any other level ("(other)", a day's name, a model made elsewhere's own) as it is. The
 * level itself stays the model's: only its words are for people.
 */
export function derivedLevelAsShown(level: string, derive: Derive): string {
  const words = DERIVED_LEVELS_SHOWN[derive.kind];
  return words && Object.hasOwn(words, level) ? words[level] : level;
}

/**
 * A categorical feature's level (a bin of its shape) as a rep reads it: a choice field's as
 * `source`'s pages label it (without a source, as the CRM stores it), a derived one in words
 * (`derivedLevelAsShown`); any other feature's bin as it is.
 */
export function levelAsShown(level: string, feature: Pick<Feature, 'type' | 'derive'>, source?: SourceKind): string {
  if (feature.type !== 'categorical') return level;
  return feature.derive.kind === 'value' ? (shownLabel(level, feature.derive, source) ?? level) : derivedLevelAsShown(level, feature.derive);
}

/** A number as data writes it, as an API sends one (1200000, "1200000", "-3.5", "1e6"): no text a CRM page words for a rep. */
const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * A number field's text as the CRM wrote it (trimmed), unless it is the plain number the model
 * scored (`scored`), as an API sends one (a synced 1200000): that a rep reads with the unit
 * ("$1,200,000"). Else it is a pick-list's range ("5-25"), an open end ("1000+"), an amount with
 * its currency ("€1.200.000", "SEK 25,000,000.00"), or a number in a locale's format ("1,200", a
 * German page's "1.500", read as 1500 where plain data is 1.5). The model reads a number from it
 * (5 from "5-25"), which the manifest's unit and en-US digits would restate as the page never
 * showed it ("5", "$" on euros, "1,500", a German reader's 1.5).
 */
function numberAsWritten(raw: RawValue, scored: number): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '') return null;
  return PLAIN_NUMBER.test(text) && Number(text) === scored ? null : text;
}

/**
 * A numeric feature's value as the CRM wrote it, where that is no plain number (`numberAsWritten`):
 * "5-25" where the model read 5. `written` is the field's text on the CRM page `record` was read
 * from, when it reads as the number scored (a page's "€1.200.000" is read into `record` as
 * 1200000); without it, the record's own. Null when the model read the value as missing, or the
 * feature is no number read from one field (a ratio, days since).
 */
export function featureAsWritten(record: RawRecord, feature: Feature, source: SourceKind, now: Date, written?: RawValue): string | null {
  const d = feature.derive;
  if (d.kind !== 'value' || feature.type !== 'numeric') return null;
  const scored = featureNumber(record, feature, source, now);
  return Number.isNaN(scored) ? null : numberAsWritten(written ?? readRaw(record, d.from, source), scored);
}

/**
 * The lead's value for a feature as a rep would read it ("$1,200,000", "VP Sales", "12 days"), or
 * "" when missing. A number the CRM wrote otherwise than as a plain number is shown as it wrote it
 * ("5-25", "€1.200.000": `featureAsWritten`, with `written` the text of the page `record` was read from).
 */
export function describeFeatureValue(record: RawRecord, feature: Feature, source: SourceKind, now: Date, written?: RawValue): string {
  const d = feature.derive;
  const missing = feature.missingValues ?? [];
  switch (d.kind) {
    case 'value': {
      if (feature.type === 'categorical') return shownLabel(rawText(readRaw(record, d.from, source), missing), d, source) ?? '';
      // the number the model scored: a value it read as missing reads as missing here too
      const v = featureNumber(record, feature, source, now);
      if (Number.isNaN(v)) return '';
      if (feature.type === 'boolean') return v === 1 ? 'Yes' : 'No';
      return featureAsWritten(record, feature, source, now, written) ?? formatNumber(v, feature.unit);
    }
    case 'daysSince': {
      const v = featureNumber(record, feature, source, now);
      // a time a little ahead of this clock, or a date after today: never "-1 days"
      return Number.isNaN(v) ? '' : formatNumber(Math.max(0, v), feature.unit ?? 'days');
    }
    case 'dayOfWeek':
    case 'urlCategory': {
      const level = featureLevel(record, feature, source, now);
      return level === null ? '' : derivedLevelAsShown(level, d);
    }
    case 'titleSeniority':
      return rawText(readRaw(record, d.from, source), missing) ?? '';
    case 'emailDomainKind': {
      const text = rawText(readRaw(record, d.from, source), missing);
      const kind = emailDomainKind(text);
      if (kind === null) return '';
      return `${EMAIL_DOMAIN_KIND_SHOWN[kind]} (${emailDomain(text)})`;
    }
    case 'ratio': {
      const v = featureNumber(record, feature, source, now);
      return Number.isNaN(v) ? '' : formatNumber(v, feature.unit);
    }
  }
}

/** How many of a featurized row's values are known (not NaN): a lead with none has nothing the model can read. */
export const knownFeatureCount = (row: Float32Array) => row.reduce((known, value) => known + (Number.isNaN(value) ? 0 : 1), 0);
