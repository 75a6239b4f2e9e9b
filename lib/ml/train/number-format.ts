/**
 * The format each number column of a file writes its numbers in, a decimal point (1,234.5) or
 * a decimal comma (1.234,5), learned from the numbers that read in one format only
 * (2.713.067, 0,5, 1,234.5), and the records with those numbers rewritten as plain numbers
 * (2713067, 0.5) so that `parseNumber`, which reads each value alone, reads them right:
 * alone, `1.234` and `0,125` could be either, and `2.713.067` is no number. Amounts written
 * with a currency `parseNumber` does not know (`zł 1 200`, `R$ 1.234,56`) are rewritten as
 * plain numbers too (`withoutCurrency`). Pure: the CSV import gathers evidence block by block
 * while it streams the file, the training CLI over the table it holds whole. The same design
 * as date-order.ts.
 */
import { CURRENCY_CODES, currencyTakenOffNumber, isMissingRaw, parseNumber, type NumberFormat, type Raw } from '../derive';
import type { RawRecord } from '../featurize';
import { listInWords } from '../../list-in-words';
import { plural } from '../../presentation';
import type { Table } from '../../csv/parse';
import { cellNumber, mostlyNumbers } from './dataset';
import { warnQuotingCells } from './quoted-cells';

/** Currencies written in letters, as their countries write them: Polish, Czech, Nordic, Hungarian, Romanian, Malaysian, Chinese, Indonesian, South Asian, South African, Turkish, Russian, Bulgarian, Ukrainian, Peruvian. */
const CURRENCY_WORDS = ['zł', 'Kč', 'kr', 'kr.', 'Kr', 'Kr.', 'Ft', 'lei', 'RM', 'RMB', 'Rp', 'Rs', 'Rs.', 'R', 'TL', 'руб', 'руб.', 'р.', 'лв', 'лв.', 'грн', 'грн.', 'S/'];

/**
 * Arab countries' currencies as Intl writes them for their locales (ar-SA's `ر.س.`, the Saudi
 * riyal; ar-EG's `ج.م.`; ar-AE's `د.إ.`; ar-MA's `د.م.`; ...), and as people also type them,
 * without the last dot (`ر.س`).
 */
const ARABIC_CURRENCY_ABBREVIATIONS = ['ر.س.', 'د.إ.', 'د.م.', 'د.ج.', 'د.ع.', 'د.ك.', 'ر.ق.', 'ج.م.', 'ر.ع.', 'د.ب.', 'د.ت.', 'د.ل.', 'ر.ي.', 'ل.ل.', 'ل.س.', 'د.أ.'];

/**
 * Currencies written in letters of scripts other than Latin. Those Intl writes in letters, not
 * with a currency sign (`\p{Sc}`, read as any sign is): the `currency` part of
 * `new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(…)` for each
 * locale's own currency in ar-SA … ar-YE, fa-IR, ckb-IQ, am-ET, ne-NP (and its narrow `रू`) and
 * si-LK, gathered once with Node 20's Intl (number-format.test.ts checks each is still read). And
 * as their countries also write them, or write those Intl writes with a sign: the riyal in Arabic
 * letters, the toman, Nepali `रु`, Sinhala `රු` without its dot, the yen, yuan and won
 * (`1,200円`), the baht, the shekel. A list, not any short word of another script: beside a
 * number, most such words are labels (`3号店`, store 3; `кв. 3`, flat 3) or scale words
 * (`500万円` is 5 million yen, not 500), which stay as written.
 */
/** Arabic abbreviations as Intl writes them (`ر.س.`) and as people type them, without the last dot. */
const withAndWithoutLastDot = (abbreviations: readonly string[]) => abbreviations.flatMap((written) => [written, written.slice(0, -1)]);

const NON_LATIN_CURRENCY_WORDS = [
  ...withAndWithoutLastDot(ARABIC_CURRENCY_ABBREVIATIONS),
  ...['ریال', 'ريال', 'تومان', 'ብር', 'नेरू', 'रू', 'रु', 'රු.', 'රු', '円', '元', '원', 'บาท', 'ש״ח', 'ש"ח'],
];

/**
 * A currency as amounts are written with it: any of Unicode's currency signs (`₩`, `₽`, `₺`,
 * `₪`, `₫`, `฿`), with the letters some dollars and reals are written with (`R$`, `NZ$`, `HK$`);
 * an ISO 4217 code (in capitals, as codes are written: `sek 100` is no amount); or a currency's
 * letters (`CURRENCY_WORDS`, `NON_LATIN_CURRENCY_WORDS`).
 */
const CURRENCY = [
  String.raw`[A-Z]{0,3}\p{Sc}`,
  ...CURRENCY_CODES,
  ...[...CURRENCY_WORDS, ...NON_LATIN_CURRENCY_WORDS].map((word) => word.replaceAll('.', String.raw`\.`)),
].join('|');

/** A sign, as `parseNumber` reads it before a number (U+2212 is the minus sign of typeset text). */
const SIGN = String.raw`[-+\u2212]`;

/** A currency before a number (`zł 1 200`, `-R$ 5`, `(₩1,200)`): what comes before it (a bracket, a sign), the currency, and the space after it. */
const LEADING_CURRENCY = new RegExp(String.raw`^(\(?${SIGN}?)\s*(${CURRENCY})(\s*)(?=${SIGN}?\d)`, 'u');

/** What follows a text's last digit. */
const AFTER_LAST_DIGIT = /(?<=\d)\D*$/u;

/** A currency after a number (`1 200 ₽`, `1,200 Kč`, `(1 200 zł)`), as what follows its last digit: the space before it, the currency, and a bracket after it. */
const TRAILING_CURRENCY = new RegExp(String.raw`^\s*(${CURRENCY})(\)?)$`, 'u');

/** A number that starts with a thousands group (`1,200`, `1 200`, `1.200,50`, `1'200`). */
const GROUPED_THOUSANDS = new RegExp(String.raw`^${SIGN}?\d{1,3}[\s,.'’]\d{3}(?!\d)`, 'u');

/** Whether `parseNumber` reads `text` as a number: as written, or in one of the formats a file's column may show. */
const readsAsNumber = (text: string) =>
  Number.isFinite(parseNumber(text)) || Number.isFinite(parseNumber(text, [], 'dot-decimal')) || Number.isFinite(parseNumber(text, [], 'comma-decimal'));

/** A number written as amounts are: with grouped thousands (`1 200`, `1.200,50`, Indian `1,20,000`), or with two decimals (`12.50`, `8,00`). */
const AMOUNT_SHAPE = new RegExp(String.raw`^\(?${SIGN}?(?:\d{1,3}[\s,.'’]\d{3}|\d{1,2}(?:,\d{2})+,\d{3}|\d+[.,]\d{2})(?!\d)`, 'u');

/**
 * Whether `currency` written beside `number` makes it an amount. A currency sign does, and
 * letters only their currency's own languages write (`zł`, `Kč`, `руб`); an ISO code or Latin
 * letters (`COP`, `RM`, `R`, `TL`) only before or after a number written as amounts are
 * (`AMOUNT_SHAPE`): beside another they are more often a label, a room or a version (`COP 28`,
 * `RM 101`, `PHP 8.1`, `CVE 2024`, `R 4.3`) than an amount.
 */
const makesAmount = (currency: string, number: string) => /\p{Sc}|[^\p{ASCII}]/u.test(currency) || AMOUNT_SHAPE.test(number);

/** An amount's number without its currency (`1 200` of `zł 1 200`), and the currency as written (`zł`). */
interface TakenOff {
  number: string;
  currency: string;
}

/** `text` without the currency before or after its number; null when it shows none. */
function currencyTakenOff(text: string): TakenOff | null {
  // Most numbers start and end with a digit: no currency to try (there are many) before or after them.
  const leading = /^\d/.test(text) ? null : LEADING_CURRENCY.exec(text);
  if (leading) {
    const [written, before, currency, space] = leading;
    const number = text.slice(written.length);
    // Letters glued to plain digits are more often a code (`R2D2`, `RM10`) than an amount, which a currency's letters are written apart from (`R 1 500`) or before grouped thousands (`R1,200`).
    const inLetters = !/\p{Sc}/u.test(currency);
    if (inLetters && (space === '' ? !GROUPED_THOUSANDS.test(number) : !makesAmount(currency, number))) return null;
    return { number: before + number, currency };
  }
  const after = AFTER_LAST_DIGIT.exec(text);
  const trailing = after && after[0] !== '' ? TRAILING_CURRENCY.exec(after[0]) : null;
  if (!after || !trailing) return null;
  const [, currency, bracket] = trailing;
  const number = text.slice(0, after.index);
  return makesAmount(currency, number) ? { number: number + bracket, currency } : null;
}

/** `text`'s number and currency when `parseNumber` reads it only without the currency (see `withoutCurrency`); else null. */
function amountInCurrency(text: string): TakenOff | null {
  const takenOff = currencyTakenOff(text.trim());
  return takenOff === null || readsAsNumber(text) || !readsAsNumber(takenOff.number) ? null : takenOff;
}

/**
 * `text` without the currency its amount is written with, where `parseNumber` reads the amount
 * only without it: `zł 1 200` → `1 200`, `1.200,50 zł` → `1.200,50`, `R$ 1.234,56`, `₩1,200,000`,
 * `1 200 ₽`, `kr 1 200`, `1,200 Kč`, `SEK 1 200`. `parseNumber` knows a few currencies only
 * ($, €, £, ¥, ₹, USD, EUR, GBP, INR, CHF, CAD, AUD, JPY before the number; letters after it as a
 * unit: `1 200 kr`); its reading of what it reads is kept (`text` itself). Also `text` itself
 * when what is left is no number either: words and codes stay words (`R2D2`, `kr-team`,
 * `Q3 2024`, `TOP 10`), and when an ISO code or Latin letters stand beside a number not written
 * as amounts are (`COP 28`, `RM 101`, `PHP 8.1`: `makesAmount`). Pure; what a CSV import and a
 * CRM page read amounts with (`inFileFormat`, page-values.ts), so a model reads them alike.
 */
export function withoutCurrency(text: string): string {
  return amountInCurrency(text)?.number ?? text;
}

/** Digits, separators, signs, brackets and a percent sign only: no currency to look for (most numbers; looking takes a while). */
const WITHOUT_CURRENCY = /^[\d\s.,'’()%+\-\u2212]*$/u;

/**
 * The currency an amount is written in, as it is taken off its number: by `parseNumber` (`JPY` of
 * `JPY 74,693,100.00`, `$` of `$5MM`, `usd` of `1.2M USD`) or `withoutCurrency` (`zł` of `zł 1 200`).
 * Null for a number written without one, and for text that reads as no number.
 */
export function amountCurrency(text: string): string | null {
  const inCurrency = amountInCurrency(text);
  if (inCurrency) return inCurrency.currency;
  return !WITHOUT_CURRENCY.test(text) && readsAsNumber(text) ? currencyTakenOffNumber(text) : null;
}


/** The currencies a column's amounts are written in, by `currencyKey`: each named as first written (ISO codes in capitals), with how many cells. */
export type ColumnCurrencies = Map<string, { name: string; cells: number }>;

const ISO_CODES = new Set(CURRENCY_CODES);

/** A currency as a note names it: an ISO code in capitals (`usd` of `1.2M usd`), anything else as written (`$`, `zł`). */
const currencyName = (written: string) => (ISO_CODES.has(written.toUpperCase()) ? written.toUpperCase() : written);

/** Ways of writing US dollars one column may mix (`$1,200` beside `USD 38,977.00`): one currency, whatever other dollars `$` may mean alone. */
const US_DOLLARS = new Set(['$', 'us$', 'usd', 'dollar']);

/** What tells currencies apart: the same one written with a last dot, in another case or in the plural (`kr.`, `Kr`, `dollars`) is one, and so are US dollars' ways (`US_DOLLARS`). */
const currencyKey = (name: string) => {
  const key = name.toLowerCase().replace(/\.$/, '').replace(/(?<=\p{L}{3})s$/u, '');
  return US_DOLLARS.has(key) ? 'usd' : key;
};

function noteCurrency(currencies: ColumnCurrencies, written: string): void {
  const name = currencyName(written);
  const key = currencyKey(name);
  const noted = currencies.get(key);
  if (noted) noted.cells++;
  else currencies.set(key, { name, cells: 1 });
}

/** The currencies `cells` (one column's) write their amounts in (`amountCurrency`); `missingValues` are placeholders, no amounts. */
export function columnCurrencies(cells: Iterable<Raw>, missingValues: readonly string[] = []): ColumnCurrencies {
  const currencies: ColumnCurrencies = new Map();
  for (const cell of cells) {
    if (typeof cell !== 'string' || isMissingRaw(cell, missingValues)) continue;
    const currency = amountCurrency(cell);
    if (currency !== null) noteCurrency(currencies, currency);
  }
  return currencies;
}

/**
 * Why a column of amounts in more than one currency (`currencies`) is left out of training, or
 * null when they are in one at most. Read as numbers, ¥300,000,000 would be $300,000,000: a file
 * knows no rates to convert them at (a CRM's page is read at its API's: page-values.ts), so it
 * asks for a column converted to one currency, which a multi-currency Salesforce org's reports have.
 * Names no cell of the file: worded for the model card too.
 */
export function mixedCurrenciesWarning(column: string, currencies: ColumnCurrencies): string | null {
  if (currencies.size < 2) return null;
  const mostFirst = [...currencies.values()].sort((a, b) => b.cells - a.cells);
  const counted = mostFirst.map(({ name, cells }, i) => `${name} in ${i === 0 ? plural(cells, 'row', 'rows') : cells.toLocaleString('en-US')}`);
  return (
    `Column "${column}" holds amounts in ${currencies.size} currencies (${listInWords(counted, 5)}): read as numbers, an amount in one would count as the same amount in another, ` +
    `so the column is left out of training. Use a column with every amount converted to one currency instead, such as a Salesforce report's converted amount ("${column} (converted)").`
  );
}

/** The warnings of each column mostly of numbers (as training reads one) whose amounts are in more than one currency (`mixedCurrenciesWarning`). */
export const mixedCurrenciesWarnings = (evidence: ReadonlyMap<string, NumberEvidence>): string[] =>
  [...evidence].flatMap(([column, { withDigits, numbers, only, currencies }]) =>
    // Cells that read as a number one way or the other, as `numberFormats` counts them.
    mostlyNumbers(numbers['dot-decimal'] + only['comma-decimal'].count, withDigits) ? (mixedCurrenciesWarning(column, currencies) ?? []) : [],
  );

/**
 * Currencies of countries that write a decimal comma (`R$ 1.234,56`, `1 234,56 zł`), as written
 * and as ISO codes: a dot in their amounts groups thousands (`R$ 1.500` is 1500), as no amount has three decimals
 * after a dot there (Tunisia's and Libya's three come after the comma: `1.234,500 د.ت.`). Only those `parseNumber` does not know (`withoutCurrency`):
 * what it reads (`€ 1.500`, `1.500 kr`) it reads as before.
 */
const DECIMAL_COMMA_CURRENCIES = new Set([
  ...['R$', 'BRL', '₽', 'руб', 'руб.', 'р.', 'RUB', 'zł', 'PLN', 'Kč', 'CZK', '₴', 'грн', 'грн.', 'UAH', 'лв', 'лв.', 'BGN', 'lei', 'RON', 'Ft', 'HUF'],
  ...['₺', 'TL', '₫', 'VND', 'Rp', 'IDR', 'kr', 'kr.', 'Kr', 'Kr.', 'DKK', 'NOK', 'SEK', 'ISK'],
  // The Maghreb's dinars and dirham, as Intl writes them there (`1.234,50 د.م.`) and without the last dot; Tunisia and Libya write three decimals after the comma.
  // Not their ISO codes: `TND 1.500`, from a file written with decimal points, is 1.5 dinars as often as 1,500.
  ...withAndWithoutLastDot(['د.م.', 'د.ج.', 'د.ت.', 'د.ل.']),
]);

/** Numbers of a column that read in one format only, how many and the first seen. */
interface OneFormatNumbers {
  count: number;
  example: string;
}

/** What one column's cells say about how it writes its numbers. */
export interface NumberEvidence {
  /**
   * Cells with a digit in them. Words ("unknown", "n/a") do not count: the CSV import does not
   * know the placeholders a model is later trained with, and the CLI must decide as it does.
   */
  withDigits: number;
  /** Of those, cells that read as a number in each format (dates written with digits are none). */
  numbers: Record<NumberFormat, number>;
  only: Record<NumberFormat, OneFormatNumbers>;
  /** The first number with a dot that reads as two different numbers (1.234: 1.234 or 1234). */
  dotEitherWay: string | null;
  /** The first number with a comma that reads as two different numbers (1,085: 1085 or 1.085). */
  commaEitherWay: string | null;
  /** Whether every number with a dot that reads both ways is an amount in a currency whose countries write decimal commas (`R$ 1.500`: `DECIMAL_COMMA_CURRENCIES`); true while none is seen. */
  dotsEitherWayInDecimalCommaCurrency: boolean;
  /** Cells that read as a number only without their currency (`zł 1 200`: `withoutCurrency`), which the column's numbers are then rewritten without. */
  withCurrency: number;
  /** The currencies its amounts are written in (`amountCurrency`): in more than one, the column is kept as written, and left out of training. */
  currencies: ColumnCurrencies;
}

/** Each column's evidence, none gathered yet. */
export function noNumberEvidence(columns: readonly string[]): Map<string, NumberEvidence> {
  return new Map(
    columns.map((column) => [
      column,
      {
        withDigits: 0,
        numbers: { 'dot-decimal': 0, 'comma-decimal': 0 },
        only: { 'dot-decimal': { count: 0, example: '' }, 'comma-decimal': { count: 0, example: '' } },
        dotEitherWay: null,
        commaEitherWay: null,
        dotsEitherWayInDecimalCommaCurrency: true,
        withCurrency: 0,
        currencies: new Map(),
      },
    ]),
  );
}

function noteNumber(evidence: NumberEvidence, cell: RawRecord[string]): void {
  if (isMissingRaw(cell)) return;
  const text = String(cell).trim();
  if (!/\d/.test(text)) return; // words: no evidence either way (the quick way out for most text cells)
  evidence.withDigits++;
  const inCurrency = amountInCurrency(text);
  const amount = inCurrency?.number ?? text;
  if (inCurrency) evidence.withCurrency++;
  const dot = cellNumber(amount, 'dot-decimal'); // NaN: no number in that format
  // The formats differ only in their separators: without one, both read the same.
  const comma = /[.,]/.test(amount) ? cellNumber(amount, 'comma-decimal') : dot;
  if (!Number.isNaN(dot)) evidence.numbers['dot-decimal']++;
  if (!Number.isNaN(comma)) evidence.numbers['comma-decimal']++;
  // As `amountCurrency` reads it, from what was read above.
  const currency = inCurrency?.currency ?? (WITHOUT_CURRENCY.test(text) || (Number.isNaN(dot) && Number.isNaN(comma)) ? null : currencyTakenOffNumber(text));
  if (currency !== null) noteCurrency(evidence.currencies, currency);
  // 2.713.067 is a number with decimal commas only; 1.234 is one either way, and says nothing of the format.
  if (Number.isNaN(dot) !== Number.isNaN(comma)) {
    const only = evidence.only[Number.isNaN(dot) ? 'comma-decimal' : 'dot-decimal'];
    if (only.count++ === 0) only.example = text;
  } else if (dot !== comma && !Number.isNaN(dot)) {
    if (text.includes('.')) {
      evidence.dotEitherWay ??= text;
      if (!(inCurrency && DECIMAL_COMMA_CURRENCIES.has(inCurrency.currency))) evidence.dotsEitherWayInDecimalCommaCurrency = false;
    } else evidence.commaEitherWay ??= text;
  }
}

/** Add what `records` say to each column's evidence (call once per block: the format needs every row). */
export function noteNumbers(evidence: ReadonlyMap<string, NumberEvidence>, records: readonly RawRecord[]): void {
  for (const record of records) for (const [column, numbers] of evidence) noteNumber(numbers, record[column]);
}

/**
 * The format of each number column whose format the file shows: some of its numbers read in
 * that format only, none in the other only, and at least MIN_NUMERIC_SHARE of its cells with a
 * digit read as numbers in it (the share `inferFeatureSpecs` asks of a numeric column), so a
 * column of codes, postcodes or notes with a few numbers in it keeps its text. A number column with
 * numbers in both formats only is kept as written, with a warning naming it. One whose numbers
 * with a dot all read both ways (1.200) reads them as the rest of the file writes: with thousands
 * dots (1200) when other columns write decimal commas and none decimal points; else, when they
 * are all amounts in a currency whose countries write decimal commas (`R$ 1.500`), also with
 * thousands dots, with a warning; else kept as written (`parseNumber` reads a decimal point: 1.2)
 * with a warning. One whose numbers with a comma all read both ways (1,085: thousands, as US
 * files write them) is kept as written, with a warning only when another column of the file
 * writes decimal commas. The warnings quote numbers of the file: each is also worded without them
 * (`warningsWithoutValues`, by warning), for the model card.
 */
export function numberFormats(evidence: ReadonlyMap<string, NumberEvidence>): { formats: Map<string, NumberFormat>; warnings: string[]; warningsWithoutValues: Map<string, string> } {
  const formats = new Map<string, NumberFormat>();
  const warnings: string[] = [];
  const warningsWithoutValues = new Map<string, string>();
  const warnQuoting = (note: Parameters<typeof warnQuotingCells>[2]) => warnQuotingCells(warnings, warningsWithoutValues, note);
  /** Number columns whose dots could be either (column → an example): the other columns' formats decide, or a question. */
  const dotsEitherWay = new Map<string, string>();
  /** Number columns whose commas could be either (column → an example): a question only in a file with decimal commas elsewhere. */
  const commasEitherWay = new Map<string, string>();
  /** Of `dotsEitherWay`, the columns whose dots are all in amounts of a currency whose countries write decimal commas (`R$ 1.500`), and none of whose commas read both ways. */
  const dotsInDecimalCommaCurrency = new Set<string>();
  for (const [column, { withDigits, numbers, only, dotEitherWay, commaEitherWay, dotsEitherWayInDecimalCommaCurrency, currencies }] of evidence) {
    // Amounts in several currencies are kept as written, their currencies with them: training leaves such a column out (`mixedCurrenciesWarning`).
    if (currencies.size > 1) continue;
    const dot = only['dot-decimal'];
    const comma = only['comma-decimal'];
    if (dot.count > 0 && comma.count > 0) {
      // Cells that read as a number one way or the other: those with a decimal point, and those with a decimal comma only.
      if (!mostlyNumbers(numbers['dot-decimal'] + comma.count, withDigits)) continue;
      warnQuoting(
        (cells) =>
          `Column "${column}" has ${plural(dot.count, 'number', 'numbers')} written with a decimal point${cells(` (like ${dot.example})`)} and ` +
          `${plural(comma.count, 'number', 'numbers')} written with a decimal comma${cells(` (like ${comma.example})`)}: its numbers are kept as written, ` +
          'and those that read both ways (like 1.234 or 1,234) may be misread. Write them one way (best: 1234.5, with no thousands separators).',
      );
    } else if (dot.count > 0 || comma.count > 0) {
      const format: NumberFormat = comma.count > 0 ? 'comma-decimal' : 'dot-decimal';
      if (mostlyNumbers(numbers[format], withDigits)) formats.set(column, format);
    } else if (dotEitherWay !== null && mostlyNumbers(numbers['dot-decimal'], withDigits)) {
      dotsEitherWay.set(column, dotEitherWay);
      if (dotsEitherWayInDecimalCommaCurrency && commaEitherWay === null) dotsInDecimalCommaCurrency.add(column);
    } else if (commaEitherWay !== null && mostlyNumbers(numbers['dot-decimal'], withDigits)) commasEitherWay.set(column, commaEitherWay);
  }
  const decimalCommas = commaDecimalColumns(formats);
  const decimalPoints = [...formats].filter(([, format]) => format === 'dot-decimal').map(([column]) => column);
  const listed = (columns: string[]) => `${columns.map((c) => `"${c}"`).join(', ')} ${columns.length === 1 ? 'writes' : 'write'}`;
  for (const [column, example] of dotsEitherWay) {
    // 1.200 beside 3,5 is a European file's 1200; in a file that also writes 0.75, it could be either: asked.
    if (decimalCommas.length > 0 && decimalPoints.length === 0) {
      formats.set(column, 'comma-decimal');
      continue;
    }
    const asDecimalPoints = parseNumber(withoutCurrency(example));
    const asThousands = parseNumber(withoutCurrency(example), [], 'comma-decimal');
    // R$ 1.500 is 1500 where R$ is written: a dot is no decimal point there. The file does not show it: said.
    if (dotsInDecimalCommaCurrency.has(column)) {
      formats.set(column, 'comma-decimal');
      warnQuoting(
        (cells) =>
          `Column "${column}": no number in it shows whether its dots are decimal points or thousands separators${cells(` (like ${example})`)}, ` +
          `so they were read as thousands separators, as the countries of its currency write them${cells(` (${example} as ${asThousands}, not ${asDecimalPoints})`)}. ` +
          `If they are decimal points, write the numbers with a decimal comma${cells(` (${String(asDecimalPoints).replace('.', ',')})`)}.`,
      );
      continue;
    }
    warnQuoting(
      (cells) =>
        `Column "${column}": no number in it shows whether its dots are decimal points or thousands separators${cells(` (like ${example})`)}, ` +
        `so they were read as decimal points${cells(` (${example} as ${asDecimalPoints}, not ${asThousands})`)}` +
        (decimalCommas.length > 0 ? ` as ${listed(decimalPoints)} them, although ${listed(decimalCommas)} decimal commas` : '') +
        '. If they separate thousands, write the numbers without them (1234).',
    );
  }
  for (const [column, written] of commasEitherWay) {
    if (decimalCommas.length === 0) break;
    const example = withoutCurrency(written);
    const asDecimalComma = parseNumber(example, [], 'comma-decimal');
    warnQuoting(
      (cells) =>
        `Column "${column}": no number in it shows whether its commas are decimal commas or thousands separators${cells(` (like ${written})`)}, ` +
        `so they were read as thousands separators${cells(` (${written} as ${parseNumber(example)})`)}, although ${decimalCommas.map((c) => `"${c}"`).join(', ')} ` +
        `${decimalCommas.length === 1 ? 'writes' : 'write'} decimal commas. If ${cells(`${example} means ${asDecimalComma}`, 'they are decimal commas')}, write the numbers with a decimal point${cells(` (${asDecimalComma})`)}.`,
    );
  }
  // A number column with amounts parseNumber reads only without their currency (zł 1 200), whose numbers show no format: read as
  // parseNumber reads the rest of it (1,200 as 1200, 1.200 as 1.2, as warned), rewritten without the currency.
  for (const [column, { withDigits, numbers, only, withCurrency, currencies }] of evidence) {
    if (withCurrency > 0 && currencies.size === 1 && !formats.has(column) && only['comma-decimal'].count === 0 && mostlyNumbers(numbers['dot-decimal'], withDigits)) formats.set(column, 'dot-decimal');
  }
  // In file order (the columns decided last among them), as the notes naming the decimal-comma columns list them.
  const inFileOrder = new Map<string, NumberFormat>();
  for (const column of evidence.keys()) {
    const format = formats.get(column);
    if (format) inFileOrder.set(column, format);
  }
  return { formats: inFileOrder, warnings, warningsWithoutValues };
}

/** The columns `formats` reads with decimal commas, in file order. */
export const commaDecimalColumns = (formats: ReadonlyMap<string, NumberFormat>): string[] =>
  [...formats].filter(([, format]) => format === 'comma-decimal').map(([column]) => column);

/**
 * The record with its number columns' numbers as the plain number their column's format reads
 * (`€ 2.713.067,5` → `2713067.5`, `zł 1 200` → `1200`, which `parseNumber` reads alone the same):
 * every number of a decimal-comma column, and those of a decimal-point column `parseNumber`
 * alone would misread (`₩1,200,000`: a currency it does not know, see `withoutCurrency`).
 * A currency, percent sign or unit goes with the separators (`parseNumber` reads none of them:
 * `12,5 %` is 12.5). Text, numbers `parseNumber` reads alone the same, and `missingValues`
 * (placeholders, even `0,00`: rewritten, they would no longer match) are kept as written.
 */
export function inFileFormat(record: RawRecord, formats: ReadonlyMap<string, NumberFormat>, missingValues: readonly string[]): RawRecord {
  const rewritten = { ...record };
  for (const [column, format] of formats) {
    const raw = record[column];
    // A placeholder is matched as written (`zł 0` is not `0`).
    if (isMissingRaw(raw, missingValues)) continue;
    const value = parseNumber(typeof raw === 'string' ? withoutCurrency(raw) : raw, [], format);
    if (Number.isFinite(value) && (format === 'comma-decimal' || value !== parseNumber(record[column]))) rewritten[column] = String(value);
  }
  return rewritten;
}

/** `records` with their numbers in the file's format (see `inFileFormat`); the same array when no column's format is known. */
export const recordsInFileFormat = (records: RawRecord[], formats: ReadonlyMap<string, NumberFormat>, missingValues: readonly string[] = []): RawRecord[] =>
  formats.size > 0 ? records.map((record) => inFileFormat(record, formats, missingValues)) : records;

/**
 * A table held whole (the training CLI's) with its numbers read in each column's format.
 * `keepAsWritten` columns are not rewritten (the target: `--positive` names its values as
 * written). Decided as the CSV import decides (see `NumberEvidence`), so a model trained here
 * reads the file's leads imported in the extension alike; `missingValues` (placeholders) are
 * kept as written. Its warnings are also worded without the file's numbers (see `numberFormats`).
 */
export function tableInFileFormat(
  table: Table,
  { keepAsWritten = [], missingValues = [] }: { keepAsWritten?: readonly string[]; missingValues?: readonly string[] } = {},
): { table: Table; commaDecimalColumns: string[]; warnings: string[]; warningsWithoutValues: Map<string, string> } {
  const evidence = noNumberEvidence(table.columns.filter((column) => !keepAsWritten.includes(column)));
  noteNumbers(evidence, table.records);
  const { formats, warnings, warningsWithoutValues } = numberFormats(evidence);
  return { table: { columns: table.columns, records: recordsInFileFormat(table.records, formats, missingValues) }, commaDecimalColumns: commaDecimalColumns(formats), warnings, warningsWithoutValues };
}
