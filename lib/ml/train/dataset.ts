/**
 * Training data: a table of records (read from CSV by `parseCsv`, lib/csv/parse.ts), the target →
 * labels, feature specs inferred from the columns (when no spec file is given), vocabularies
 * learned, and everything validated with errors that say what is wrong and what is needed. Pure,
 * no Node APIs.
 */
import type { Table } from '../../csv/parse';
import { namesCreatedColumn } from '../../csv/mapping';
import { isMissingRaw, parseDate, parseNumber, writesTwoDigitYear, type NumberFormat } from '../derive';
import { featureLevel, featureNumber, featurizeRecords, readRaw, type RawRecord, type SourceKind } from '../featurize';
import { withOptionLabels, type Derive, type Feature, type FeatureSpec } from '../manifest';
import { TooManyFoldsError, TrainingDataError } from './errors';
import { countPositives } from './metrics';
import { amountCurrency, columnCurrencies, mixedCurrenciesWarning } from './number-format';
import { oneValueOnly } from './outcome-suggestions';
import { quoteCell, warnQuotingCells } from './quoted-cells';
import { listInWords } from '../../list-in-words';
import { plural } from '../../presentation';

/** Minimums for training at all (Einstein asks for 1,000 leads and 120 conversions; below these nothing can be learned). */
export const MIN_ROWS = 50;
export const MIN_POSITIVES = 10;
export const MIN_NEGATIVES = 10;
/** Categorical levels with fewer training rows than this are pooled into "(other)". */
export const MIN_LEVEL_COUNT = 10;
/** At most this many levels per categorical feature (the rest pooled): bins must fit a byte. */
export const MAX_LEVELS = 254;
export const OTHER_LEVEL = '(other)';
/**
 * An inferred column is numeric when at least this share of its values read as numbers: a
 * few typed notes ("unknown", "ask sales") read as missing rather than turning the column
 * into categories.
 */
const MIN_NUMERIC_SHARE = 0.95;
/**
 * An inferred column is a date column when at least this share of its values read as dates, as
 * for numbers: a few written in a form `parseDate` does not read ("Q3 2026", "3/4/26", whose
 * day, month and century are guesses) read as missing rather than dropping the column.
 */
const MIN_DATE_SHARE = 0.95;
/**
 * A column with fewer dates than MIN_DATE_SHARE is still noted as not read as dates (with values
 * not read, and how to write them) when at least this share of its values are dates; with fewer,
 * it is text with a few dates in it, read as categories without a note.
 */
const MIN_DATE_LIKE_SHARE = 0.5;
/**
 * A column with fewer numbers than MIN_NUMERIC_SHARE is still noted as not read as numbers (with
 * values that are not, and how to have it read) when at least this share of its values are
 * numbers: a number column with many notes typed in it, which would otherwise become categories
 * (or be dropped as an identifier) without a word.
 */
const MIN_NUMBER_LIKE_SHARE = 0.5;
/**
 * A column of whole numbers, at least MIN_ROWS of them and this share of them distinct, has a
 * number of its own in (nearly) every row, as a record number has (HubSpot's "Record ID", X
 * Education's "Lead Number"): an identifier, which a model would learn the leads' order from.
 */
const MIN_IDENTIFIER_DISTINCT_SHARE = 0.99;
/**
 * The last words of column names that name an identifier: "Record ID", "Lead Number",
 * "contact_id", "leadId", "Account No", "Ticket #". The last word only: "Number of Pageviews" is a count.
 */
const IDENTIFIER_WORDS = new Set(['id', 'key', 'number', 'no', 'nr', 'num', '#']);

/** Whether at most the share `1 - minShare` of a column's `filled` cells are not `read`. */
const mostlyRead = (read: number, filled: number, minShare: number): boolean => filled - read <= (1 - minShare) * filled;

/** Whether a column with `numbers` of its `filled` cells read as numbers is numeric (see MIN_NUMERIC_SHARE). */
export const mostlyNumbers = (numbers: number, filled: number): boolean => mostlyRead(numbers, filled, MIN_NUMERIC_SHARE);

/**
 * A filled cell's number as an inferred numeric column reads it (in `format` when given, see
 * `parseNumber`); NaN for text, and for dates written with digits (12/31/2025, 2025-12-31),
 * which are no numbers even where a number could be read from their start.
 */
export function cellNumber(text: string, format?: NumberFormat): number {
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(text) || /^\d{4}-\d{2}-\d{2}/.test(text)) return NaN;
  return parseNumber(text, [], format);
}


const POSITIVE_WORDS = ['1', 'yes', 'true', 'y', 'converted', 'won', 'closed won', 'positive'];
/** The values a target's other value must be for the positive one to be guessed: beside 2, 1 may mean lost. */
const NEGATIVE_WORDS = ['0', 'no', 'false', 'n', 'not converted', 'lost', 'closed lost', 'negative'];

/** Target values that differ only in case or surrounding spaces ("Yes", " yes ") are one class. */
const targetClass = (value: RawRecord[string]) => String(value).trim().toLowerCase();

/**
 * The labels [N] (1 = positive). The target must hold exactly two values (the positive one and
 * one other, compared trimmed and ignoring case), no missing cells, and enough of each for
 * training. Without `positive` it is guessed only for a positive word beside a negative one (1/0,
 * yes/no, won/lost), else refused asking for it. The values are returned as first written in the data.
 */
export function buildLabels(table: Table, target: string, positive?: string): { labels: Uint8Array; positive: string; negative: string } {
  if (!table.columns.includes(target)) {
    throw new TrainingDataError(
      `The target column "${target}" is not in the CSV. Columns: ${table.columns.slice(0, 40).join(', ')}${table.columns.length > 40 ? ', …' : ''}.`,
    );
  }
  const counts = new Map<string, number>(); // class → rows
  const written = new Map<string, string>(); // class → its first spelling in the data
  let missing = 0;
  for (const r of table.records) {
    const v = r[target];
    if (isMissingRaw(v)) missing++;
    else {
      const c = targetClass(v);
      counts.set(c, (counts.get(c) ?? 0) + 1);
      if (!written.has(c)) written.set(c, String(v).trim());
    }
  }
  /** The values, most rows first, with their rows: `"0" (146), "1" (53) and "maybe" (1)`; beyond `most`, how many more. */
  const describe = (most = 8) => {
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    return listInWords(sorted.map(([c, n]) => `${quoteCell(written.get(c)!)} (${n})`), most);
  };
  if (missing > 0) {
    throw new TrainingDataError(`The target column "${target}" is empty in ${missing} row(s); every row needs an outcome. Values: ${describe()}.`);
  }
  let pos = positive === undefined ? undefined : targetClass(positive);
  if (pos === undefined) {
    const keys = [...counts.keys()];
    if (keys.length === 1) throw new TrainingDataError(`The target column ${oneValueOnly(target, describe())}`);
    // naming the positive one would not do: the others are more than one negative
    if (keys.length > 2) {
      throw new TrainingDataError(
        `The target column "${target}" has ${keys.length} values: ${describe(5)}; training needs two, converted and not converted. Map it to two values first.`,
      );
    }
    const [first, second] = keys;
    if (POSITIVE_WORDS.includes(first) && NEGATIVE_WORDS.includes(second)) pos = first;
    else if (POSITIVE_WORDS.includes(second) && NEGATIVE_WORDS.includes(first)) pos = second;
    if (pos === undefined) throw new TrainingDataError(`Cannot tell which value of "${target}" means converted: ${describe()}. Pass --positive VALUE.`);
  }
  if (!counts.has(pos)) {
    throw new TrainingDataError(`The positive value ${quoteCell(positive?.trim() ?? '')} does not occur in "${target}". Values: ${describe()}.`);
  }
  if (counts.size === 1) {
    throw new TrainingDataError(`The target column ${oneValueOnly(target, describe())}`);
  }
  if (counts.size > 2) {
    throw new TrainingDataError(
      `The target column "${target}" has values other than the positive ${quoteCell(written.get(pos)!)} and one negative: ${describe()}. Map it to two values first.`,
    );
  }
  const negative = [...counts.keys()].find((k) => k !== pos)!;
  const labels = new Uint8Array(table.records.length);
  table.records.forEach((r, i) => (labels[i] = targetClass(r[target]) === pos ? 1 : 0));
  checkCounts(labels);
  return { labels, positive: written.get(pos)!, negative: written.get(negative)! };
}

/** Throws unless there are ≥ MIN_ROWS rows, ≥ MIN_POSITIVES positives and ≥ MIN_NEGATIVES negatives. */
export function checkCounts(labels: Uint8Array): void {
  const p = countPositives(labels);
  const n = labels.length;
  if (n < MIN_ROWS) throw new TrainingDataError(`Training needs at least ${MIN_ROWS} leads; the data has ${n}.`);
  if (p < MIN_POSITIVES) throw new TrainingDataError(`Training needs at least ${MIN_POSITIVES} converted leads; the data has ${p} (of ${n}).`);
  if (n - p < MIN_NEGATIVES) throw new TrainingDataError(`Training needs at least ${MIN_NEGATIVES} leads that did not convert; the data has ${n - p} (of ${n}).`);
}

/** Throws `TooManyFoldsError` unless every one of `folds` cross-validation folds can hold a converted and an other row. */
export function checkFolds(labels: Uint8Array, folds: number): void {
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  if (folds <= positives && folds <= negatives) return;
  const has = [positives < folds ? `${positives} converted` : '', negatives < folds ? `${negatives} other` : ''].filter(Boolean).join(' and ');
  throw new TooManyFoldsError(folds, `at least ${folds} converted and ${folds} other rows; the data has ${has}`, Math.min(positives, negatives));
}

/**
 * `Lead Source` → `lead_source`, `売上 (USD)` → `売上_usd`: the name's letters (with their accents
 * and vowel signs) and digits in any script, lower-cased, so that a key names its column. A
 * catalogue feature's key is one of the names its field is found by in the next training
 * (`suggestField`): a placeholder key (`feature_2` for 業種) would find an unrelated column named
 * so. ASCII names keep the keys they always had. Keys start with a letter.
 */
export function keyOf(name: string, taken: Set<string>): string {
  let k = name
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^\p{L}/u.test(k)) k = `f_${k}`;
  if (k === 'f_') k = 'feature';
  let key = k;
  for (let i = 2; taken.has(key); i++) key = `${k}_${i}`;
  taken.add(key);
  return key;
}

/**
 * LeadLens's own outputs written back to the CRM (the write-back form suggests `LeadLens_Score__c`,
 * `leadlens_tier`, …; a managed package prefixes `ns__`). Synced or exported with the leads, they
 * would make a model learn the previous model's guesses rather than the leads.
 */
const LEADLENS_OUTPUT = /^(\w+__)?leadlens_/i;

/** Up to 3 of `values` (distinct), quoted (`quoteCell`), for a note. */
const quoteSome = (values: string[]) => [...new Set(values)].slice(0, 3).map(quoteCell).join(', ');

/**
 * Column names (their words joined, lower case, without accents: "First Name", "first_name",
 * "FirstName" and HubSpot's "firstname" all read `firstname`, "Téléphone" `telephone`) that name a
 * person or how to reach one: their values would be kept in a model trained on them (a category of
 * MIN_LEVEL_COUNT leads or more, a number range), and travel with every copy of it. Salesforce's
 * and HubSpot's API names are among them (Name, FirstName, Email, MobilePhone, Street, PostalCode;
 * firstname, mobilephone, address, zip), and the labels CRM exports head them with in German,
 * French, Spanish, Dutch, Italian and Portuguese. A company's name is not ("Firmenname", "Nom de
 * l'entreprise"): it names no person, and where a company is a lead's best-known fact the model may
 * learn from it as from an industry.
 */
const PERSONAL_DATA_NAMES = new Set([
  'firstname', 'lastname', 'fullname', 'middlename', 'surname', 'givenname', 'familyname', 'contactname', 'leadname', 'personname', 'assistantname',
  'email', 'emailaddress',
  'phone', 'phonenumber', 'telephone', 'mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone', 'fax',
  'street', 'streetaddress', 'address', 'addressline', 'postcode', 'postalcode', 'zip', 'zipcode',
  'birthdate', 'dateofbirth', 'birthday', 'dob',
  // German
  'vorname', 'nachname', 'familienname', 'vollstandigername', 'kontaktname', 'vorundnachname', 'vornameundnachname', 'namevorname',
  'emailadresse', 'telefon', 'telefonnummer', 'mobil', 'mobiltelefon', 'mobiltelefonnummer', 'mobilnummer', 'mobilfunknummer', 'handy', 'handynummer',
  'strasse', 'hausnummer', 'strasseundhausnummer', 'adresse', 'anschrift', 'postleitzahl', 'plz', 'geburtsdatum', 'geburtstag',
  // French ("Téléphone", "Mobile", "Adresse" and "E-mail" read as above)
  'prenom', 'nomdefamille', 'nomcomplet', 'nomducontact', 'nometprenom', 'prenometnom', 'nomprenom', 'prenomnom',
  'courriel', 'adresseemail', 'adressemail', 'adressecourriel', 'adresseelectronique', 'tel', 'numerodetelephone', 'numerodeportable', 'telephonemobile', 'telephoneportable',
  'rue', 'codepostal', 'adressepostale', 'datedenaissance',
  // Spanish
  'apellido', 'apellidos', 'nombrecompleto', 'nombredelcontacto', 'nombreyapellido', 'nombreyapellidos', 'nombresyapellidos', 'apellidosynombre',
  'primernombre', 'segundonombre', 'primerapellido', 'segundoapellido', 'apellidopaterno', 'apellidomaterno',
  'correo', 'correoelectronico', 'direcciondecorreo', 'direcciondecorreoelectronico', 'telefono', 'numerodetelefono', 'movil', 'numerodemovil', 'telefonomovil', 'celular', 'numerodecelular', 'telefonocelular',
  'direccion', 'calle', 'domicilio', 'codigopostal', 'fechadenacimiento',
  // Dutch
  'voornaam', 'achternaam', 'tussenvoegsel', 'volledigenaam', 'contactnaam', 'voorenachternaam',
  'emailadres', 'telefoon', 'telefoonnummer', 'mobiel', 'mobielnummer', 'mobieletelefoon',
  'adres', 'straat', 'straatnaam', 'geboortedatum',
  // Italian ("Telefono" reads as the Spanish)
  'cognome', 'nomecompleto', 'nomedelcontatto', 'nomeecognome', 'cognomeenome',
  'indirizzoemail', 'postaelettronica', 'numeroditelefono', 'cellulare', 'numerodicellulare', 'telefonocellulare',
  'indirizzo', 'codicepostale', 'datadinascita',
  // Portuguese ("Celular", "Número de celular" and "Código postal" read as the Spanish)
  'sobrenome', 'apelido', 'apelidos', 'nomedocontato', 'nomeesobrenome', 'primeironome', 'ultimonome', 'nomeproprio',
  'enderecodeemail', 'telefone', 'numerodetelefone', 'telemovel', 'numerodetelemovel', 'telefonecelular',
  'endereco', 'morada', 'rua', 'cep', 'datadenascimento',
]);
/**
 * Names that are personal data only as a column's whole name, not after a qualifier: a person's
 * name ("Name", "Nom", "Nombre", "Nome", "Naam"; "Nombre de salariés" counts employees, "Nom de
 * l'entreprise" names a company), Italian's postcode "CAP" and French's mobile "Portable", which
 * are English words too.
 */
const PERSONAL_DATA_WHOLE_NAMES = new Set(['name', 'nom', 'nombre', 'nome', 'naam', 'cap', 'portable']);
/**
 * Words before such a name that leave it a person's detail: "Work Email", "Home Phone", "Mailing Street", "Lead First Name",
 * "Mobile Phone Number"; in German and Dutch "Geschäftliche E-Mail", "Mobiel telefoonnummer".
 */
const PERSONAL_DATA_QUALIFIERS = new Set([
  'contact', 'lead', 'person', 'personal', 'private', 'primary', 'secondary', 'other', 'alternate', 'alternative', 'assistant',
  'work', 'home', 'business', 'office', 'direct', 'mailing', 'billing', 'shipping', 'mobile', 'cell',
  'geschaftliche', 'geschaftlicher', 'geschaftliches', 'privater', 'privates', 'dienstliche', 'dienstlicher',
  'zakelijk', 'zakelijke', 'prive', 'mobiel', 'mobiele',
]);
/**
 * Words after such a name that leave it a person's detail, where a language puts them after ("Teléfono de la oficina", "Telefon
 * geschäftlich", "Téléphone professionnel", "E-Mail (privat)", "Phone (work)"): whether it is for work or home, a mobile or a landline,
 * where the post goes.
 */
const PERSONAL_DATA_TRAILING_QUALIFIERS = new Set([
  'work', 'home', 'business', 'office', 'personal', 'private', 'mobile', 'cell',
  'geschaftlich', 'privat', 'dienstlich', 'buro', 'mobil',
  'professionnel', 'professionnelle', 'pro', 'personnel', 'personnelle', 'perso', 'prive', 'privee', 'domicile', 'bureau', 'travail', 'portable', 'fixe', 'facturation', 'livraison',
  'particular', 'oficina', 'trabajo', 'laboral', 'casa', 'movil', 'celular', 'fijo', 'facturacion', 'envio',
  'personale', 'privato', 'privata', 'ufficio', 'lavoro', 'cellulare', 'fisso', 'aziendale', 'fatturazione', 'spedizione',
  'pessoal', 'trabalho', 'profissional', 'comercial', 'residencial', 'movel', 'fixo', 'faturamento', 'entrega',
  'zakelijk', 'werk', 'thuis', 'mobiel',
]);
/** The little words between a name and a qualifier after it: "de la" oficina, "del" trabajo, "di" casa, "dell'"ufficio, "du" bureau, "van het" werk. */
const QUALIFIER_CONNECTING_WORDS = new Set(['de', 'del', 'la', 'el', 'di', 'dell', 'della', 'do', 'da', 'du', 'des', 'd', 'l', 'au', 'im', 'van', 'het']);

/**
 * Whether `form` is one word that qualifies others too ("mobile", "cell", "móvil"): left alone by
 * taking a qualifier off after it, it names no phone ("Mobile Home", "Mobile Office" are kinds of
 * home and office).
 */
const isQualifierAlone = (form: readonly string[]) => form.length === 1 && (PERSONAL_DATA_QUALIFIERS.has(form[0]) || PERSONAL_DATA_TRAILING_QUALIFIERS.has(form[0]));

/** `words`, then each shorter form left by taking a trailing qualifier off it with the little words before it ("telefono de la oficina", "telefono"). */
function withTrailingQualifiersTakenOff(words: readonly string[]): (readonly string[])[] {
  const forms = [words];
  let end = words.length;
  while (end > 1 && PERSONAL_DATA_TRAILING_QUALIFIERS.has(words[end - 1])) {
    end--;
    while (end > 1 && QUALIFIER_CONNECTING_WORDS.has(words[end - 1])) end--;
    forms.push(words.slice(0, end));
  }
  return forms;
}

/**
 * The words of the column name `name`, lower case and without accents ("Lead Number" → lead,
 * number; "leadId" → lead, id; "Straße" → strasse), a number sign a word of its own ("Ticket #").
 */
function columnNameWords(name: string): string[] {
  return (
    name
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .match(/[a-z0-9]+|#/g) ?? []
  );
}

/**
 * Whether the column name `name` names personal data: one of PERSONAL_DATA_WHOLE_NAMES ("Name",
 * Salesforce's name of a lead or contact), or one of PERSONAL_DATA_NAMES after a Salesforce custom
 * field's `__c`, a managed package's `ns__`, qualifiers before (PERSONAL_DATA_QUALIFIERS) or after
 * it (PERSONAL_DATA_TRAILING_QUALIFIERS) and a trailing number ("Address 2") are left out. "Email
 * Opens", "Do Not Email" and "Company Name" do not; nor do "Business Name" or "Other Name": a bare
 * name after another word may be a company's, an office's, anything's.
 */
export function namesPersonalData(name: string): boolean {
  const words = columnNameWords(name.replace(/__c$/i, '').replace(/^[a-z0-9]+__/i, '')).filter((word) => word !== '#');
  const joined = (form: readonly string[]) => form.join('').replace(/\d+$/, '');
  if (PERSONAL_DATA_WHOLE_NAMES.has(joined(words))) return true;
  for (;;) {
    if (withTrailingQualifiersTakenOff(words).some((form, i) => PERSONAL_DATA_NAMES.has(joined(form)) && !(i > 0 && isQualifierAlone(form)))) return true;
    if (words.length === 1 || !PERSONAL_DATA_QUALIFIERS.has(words[0])) return false;
    words.shift();
  }
}

/** An e-mail address: something@domain.tld, nothing around it. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * A date written with dashes or spaces, day and month in either order ("24-10-2025", "2024 01 05"),
 * which `parseDate` may not read: the date-order pass leaves a column's dates as written when they
 * show both orders, or neither.
 */
const DATE_SHAPED = /^(?:\d{1,2}([-\s])\d{1,2}\1\d{4}|\d{4}([-\s])\d{1,2}\2\d{1,2})$/;

/**
 * A phone number as people write one: 7 to 15 digits, led by + or grouped by spaces, dashes or
 * brackets ("+49 30 2441955", "(555) 010-4477"). Not one that reads as a number ("1 200 000", digits
 * alone: an amount or a code may be written so) or is written as a date ("2025-12-31", "24-10-2025").
 */
function looksLikePhoneNumber(text: string): boolean {
  if (!/^\+?[\d\s()-]+$/.test(text) || !/^\+|\d[\s()-]+\d/.test(text) || DATE_SHAPED.test(text)) return false;
  const digits = text.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15 && Number.isNaN(cellNumber(text)) && Number.isNaN(parseDate(text));
}

/** A column is dropped as contact details when at least this share of its values are e-mail addresses, or phone numbers. */
const MIN_CONTACT_DETAIL_SHARE = 0.5;

/** What columns of personal data, dropped, are said to be: the values a model keeps go with every copy of it. */
const PERSONAL_DATA_KEPT_IN_MODEL = 'A model keeps some of the values it learns from, and anyone given the model could read them.';

/** Why the columns `named` as personal data (`namesPersonalData`) are dropped: one note for them all. */
function namedPersonalDataWarning(named: readonly string[]): string {
  const columns = listInWords(named.map((col) => `"${col}"`));
  return `${named.length === 1 ? `Column ${columns} is` : `Columns ${columns} are`} named as personal data (a person's name, e-mail address, phone number, address or birth date): dropped. ${PERSONAL_DATA_KEPT_IN_MODEL}`;
}

/** Why the column `col` with these filled `values` is dropped as holding mostly e-mail addresses or phone numbers, or null when it does not. */
function contactDetailsWarning(col: string, values: readonly string[]): string | null {
  const emails = values.filter((value) => EMAIL_ADDRESS.test(value)).length;
  const phones = values.filter(looksLikePhoneNumber).length;
  const [count, what] = emails >= phones ? [emails, 'e-mail addresses'] : [phones, 'phone numbers'];
  if (!mostlyRead(count, values.length, MIN_CONTACT_DETAIL_SHARE)) return null;
  return `Column "${col}" holds ${what} (${count.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')}), which are personal data: dropped. ${PERSONAL_DATA_KEPT_IN_MODEL}`;
}

/** Whether the column name `name` names an identifier: its last word (`columnNameWords`) is one of IDENTIFIER_WORDS. */
const namedAsIdentifier = (name: string) => IDENTIFIER_WORDS.has(columnNameWords(name).at(-1) ?? '');

/** How many distinct numbers `numbers` holds when it is a record number's: whole numbers, at least MIN_ROWS, nearly all distinct (MIN_IDENTIFIER_DISTINCT_SHARE); else null. */
function distinctWholeNumbers(numbers: number[]): number | null {
  if (numbers.length < MIN_ROWS || !numbers.every(Number.isInteger)) return null;
  const distinct = new Set(numbers).size;
  return distinct >= MIN_IDENTIFIER_DISTINCT_SHARE * numbers.length ? distinct : null;
}

/**
 * Whether `numbers`, `distinct` of them distinct, look counted out as record numbers are: most of
 * their range taken (1, 2, 3, …) or all of one order of magnitude (5000065 … 5000999), unlike
 * amounts spread over several (revenue from 12,000 to 4,800,000), which may differ in every row.
 */
function numberedLikeRecords(numbers: number[], distinct: number): boolean {
  let [min, max] = [Infinity, -Infinity];
  for (const n of numbers) [min, max] = [Math.min(min, n), Math.max(max, n)];
  return distinct >= 0.5 * (max - min + 1) || (min > 0 && max < 10 * min);
}

/** Whether `number` is one the model's float32 input cannot hold: featurization reads it as missing, in training and scoring alike. */
const beyondFloat32 = (number: number) => !Number.isNaN(number) && Number.isNaN(featureNumber({ cell: number }, { derive: { kind: 'value', from: { csv: 'cell' } }, missingValues: [] }, 'csv', new Date(0)));

/**
 * How to have a column mostly of numbers read as numbers, ending the note on one that is not:
 * worded for the options page, whose data has no list of values read as missing; the training
 * command words it with its --missing instead (lib/ml/cli.ts).
 */
export const EMPTY_THE_NOT_NUMBERS = 'To have it read as numbers, leave the cells without a number empty.';

/** How to write a date so that `parseDate` reads it, for a note on dates it did not read. */
const READABLE_DATE = 'YYYY-MM-DD (e.g. 2026-09-19)';

/** Why a column of dates holds numbers like 45000: said by the CSV import of the created date's, and by inference of a column named as dates. */
export const SPREADSHEET_SERIAL_DATES = 'A spreadsheet writes dates as numbers like 45000 when their column is not formatted as dates.';

/** The day a spreadsheet's date serial numbers count from: 45000 is 2023-03-15. */
const SPREADSHEET_DAY_ZERO = Date.UTC(1899, 11, 30);
const MS_PER_DAY = 86_400_000;

/** Whether `number` is a spreadsheet's serial number of a day in the years `parseDate` reads epoch milliseconds in (1990 … 2100: 32874 … 73051). */
const spreadsheetSerial = (number: number) => Number.isInteger(number) && !Number.isNaN(parseDate(SPREADSHEET_DAY_ZERO + number * MS_PER_DAY));

/** Words of a column's name that name it as dates ("Last Activity Date", close_date, LastActivityDate, "Fecha de cierre"), beside a created date's names. */
const DATE_WORDS = new Set(['date', 'datum', 'fecha', 'datetime']);
const namedAsDates = (name: string) => namesCreatedColumn(name) || columnNameWords(name).some((word) => DATE_WORDS.has(word));

/** Words of a column's name that name it as moments, beside dates' (HubSpot's "Time of Last Session", a `timestamp`). */
const MOMENT_WORDS = new Set(['time', 'timestamp']);

/**
 * Whether a column's `values` are (nearly: MIN_DATE_SHARE) all epoch milliseconds, as HubSpot
 * exports its dates ("Recent Conversion Date": 1747677600000), and its name names dates or moments,
 * no identifier: dates, as `parseDate` reads them when scoring, not numbers, whose later leads would
 * all fall past the last bin learnt. By the name too, as 12 or 13 digits are also a phone number
 * with its country code (91 and 10 digits read as 1999) or a barcode.
 */
const epochMillisecondsColumn = (name: string, values: readonly string[]) =>
  (namedAsDates(name) || columnNameWords(name).some((word) => MOMENT_WORDS.has(word))) &&
  !namedAsIdentifier(name) &&
  mostlyRead(values.filter((s) => /^\d{12,13}$/.test(s) && !Number.isNaN(parseDate(s))).length, values.length, MIN_DATE_SHARE);

/**
 * Feature specs from the CSV columns (no spec file): each column not excluded and not the
 * target becomes numeric, boolean, categorical, or a date (→ days since, measured from the
 * trainer's reference time). LeadLens's own written-back outputs are dropped with a warning, and
 * so is personal data: a column named as a person's name or contact detail, or holding mostly
 * e-mail addresses or phone numbers, as a model keeps values it learns from. A
 * column is numeric when ≥ MIN_NUMERIC_SHARE of its values are numbers, a date when
 * ≥ MIN_DATE_SHARE are dates (the rest read as missing, with a warning, as `parseDate` reads
 * them when scoring too), epoch milliseconds included (HubSpot's dates). A column of dates
 * `parseDate` does not read is dropped with a note rather than learnt as numbers or as
 * categories, a day each: one named as dates holding a spreadsheet's date serial numbers
 * (45000), or one of dates with two-digit years (`12/19/25`, `19-Dec-25`).
 * The CSV import and the CLI have already rewritten a column written
 * with decimal commas (`2.713.067`) as plain numbers (number-format.ts), and dates written day
 * first as ISO dates (date-order.ts).
 * Constant and fully missing columns, and identifier-like columns (almost one level per row;
 * for whole numbers, one per row and a name such as "Record ID"), are dropped with a warning; a
 * whole number per row in a column not named so is kept, with a warning when they look counted out. A column of numbers
 * with too many values that are not, or with numbers too large for the model, is noted too.
 * The notes quoting a few values of a column are also given worded without them
 * (`warningsWithoutValues`, by note): for what is shared beyond the admin, the model card.
 * Also returns the latest date of the date columns, or null when there are none (the
 * trainer's reference time passes over dates after the day of training: `runTime` in ./index.ts).
 */
export function inferFeatureSpecs(
  table: Table,
  target: string,
  exclude: string[],
  missingValues: string[] = [],
): { specs: FeatureSpec[]; warnings: string[]; warningsWithoutValues: ReadonlyMap<string, string>; latestDate: number | null } {
  const warnings: string[] = [];
  const warningsWithoutValues = new Map<string, string>();
  /** Warns with `note`, which quotes a few of a column's values through `some` (`before` and `after` them); worded without them too. */
  const warnQuoting = (note: (some: (values: string[], before: string, after?: string) => string) => string) =>
    warnQuotingCells(warnings, warningsWithoutValues, (cells) => note((values, before, after = '') => cells(`${before}${quoteSome(values)}${after}`)));
  const specs: FeatureSpec[] = [];
  const taken = new Set<string>();
  const namedPersonal: string[] = [];
  let latestDate: number | null = null;
  const excluded = new Set(exclude);
  for (const name of exclude) if (!table.columns.includes(name)) warnings.push(`--exclude names "${name}", which is not a column.`);
  const N = table.records.length;
  for (const col of table.columns) {
    if (col === target || excluded.has(col)) continue;
    if (LEADLENS_OUTPUT.test(col)) {
      warnings.push(`Column "${col}" holds a LeadLens score written back to the CRM, not a fact about the lead: dropped.`);
      continue;
    }
    const values: string[] = [];
    for (const r of table.records) {
      const v = r[col];
      if (!isMissingRaw(v, missingValues)) values.push(String(v).trim());
    }
    if (values.length === 0) {
      warnings.push(`Column "${col}" is empty in every row: dropped.`);
      continue;
    }
    // Personal data (an empty column holds none). Inferred columns only: a feature spec (the training
    // command's --features, a known feature an admin maps to a field) reads one on purpose.
    if (namesPersonalData(col)) {
      namedPersonal.push(col);
      continue;
    }
    const contactDetails = contactDetailsWarning(col, values);
    if (contactDetails !== null) {
      warnings.push(contactDetails);
      continue;
    }
    const distinct = new Set(values);
    if (distinct.size === 1 && values.length === N) {
      warnings.push(`Column "${col}" has the same value in every row: dropped.`);
      continue;
    }
    const from = { csv: col };
    const base = { label: col, missingValues, actionable: false };
    const numberOf = values.map((s) => cellNumber(s)); // NaN: no number
    const notNumbers = values.filter((_, i) => Number.isNaN(numberOf[i]));
    // Amounts in several currencies (`JPY 74,693,100.00` beside `USD 38,977.00`, `zł 1 200` beside `1 200 Kč`) are no one number.
    const amountsInCurrencies = mixedCurrenciesWarning(col, columnCurrencies(values));
    if (amountsInCurrencies !== null && mostlyNumbers(values.length - notNumbers.filter((s) => amountCurrency(s) === null).length, values.length)) {
      warnings.push(amountsInCurrencies);
      continue;
    }
    if (values.every((s) => /^(yes|no|true|false)$/i.test(s))) {
      specs.push({ ...base, key: keyOf(col, taken), type: 'boolean', derive: { kind: 'value', from } });
    } else if (mostlyNumbers(values.length - notNumbers.length, values.length) && !epochMillisecondsColumn(col, values)) {
      const numbers = numberOf.filter((n) => !Number.isNaN(n));
      const serials = values.filter((_, i) => spreadsheetSerial(numberOf[i]));
      if (namedAsDates(col) && mostlyRead(serials.length, numbers.length, MIN_DATE_SHARE)) {
        warnQuoting(
          (some) =>
            `Column "${col}" is named as a date and holds whole numbers${some(serials, ' such as ')}. ${SPREADSHEET_SERIAL_DATES} ` +
            `It is dropped rather than read as numbers. To have it read as dates (days since), write its dates as ${READABLE_DATE}.`,
        );
        continue;
      }
      const distinctNumbers = distinctWholeNumbers(numbers);
      if (distinctNumbers !== null) {
        const perRow = `every row has its own whole number (${distinctNumbers.toLocaleString('en-US')} distinct in ${plural(numbers.length, 'row', 'rows')})`;
        if (namedAsIdentifier(col)) {
          warnings.push(`Column "${col}" is named as an identifier and ${perRow}: dropped.`);
          continue;
        }
        if (numberedLikeRecords(numbers, distinctNumbers)) {
          warnings.push(`Column "${col}": ${perRow}, as in an identifier. It is read as numbers; if it is an identifier, exclude it.`);
        }
      }
      if (notNumbers.length > 0) {
        warnQuoting((some) => `Column "${col}" is read as numbers; ${notNumbers.length.toLocaleString('en-US')} value(s) in it are not numbers and read as missing${some(notNumbers, ': ')}.`);
      }
      const tooLarge = values.filter((_, i) => beyondFloat32(numberOf[i]));
      if (tooLarge.length > 0) {
        warnQuoting((some) => `Column "${col}" has ${tooLarge.length.toLocaleString('en-US')} number(s) too large for the model, beyond ±3.4e38, read as missing${some(tooLarge, ': ')}.`);
      }
      specs.push({ ...base, key: keyOf(col, taken), type: 'numeric', derive: { kind: 'value', from } });
    } else {
      const timeOf = new Map([...distinct].map((s) => [s, parseDate(s)])); // each value parsed once: a text column repeats a few
      const notDates = values.filter((s) => Number.isNaN(timeOf.get(s)));
      const dates = values.length - notDates.length;
      if (mostlyRead(dates, values.length, MIN_DATE_SHARE)) {
        if (notDates.length > 0) {
          warnQuoting(
            (some) =>
              `Column "${col}" is read as dates; ${notDates.length.toLocaleString('en-US')} value(s) in it are not dates in a form LeadLens reads and read as missing${some(notDates, ': ')}. ` +
              `Write dates as ${READABLE_DATE} to have them read.`,
          );
        }
        for (const t of timeOf.values()) if (!Number.isNaN(t) && (latestDate === null || t > latestDate)) latestDate = t;
        specs.push({ ...base, key: keyOf(`${col}_days_since`, taken), label: `Days since ${col}`, type: 'numeric', unit: 'days', derive: { kind: 'daysSince', from } });
        continue;
      }
      const twoDigitYears = notDates.filter(writesTwoDigitYear);
      if (twoDigitYears.length > 0 && mostlyRead(dates + twoDigitYears.length, values.length, MIN_DATE_LIKE_SHARE)) {
        warnQuoting(
          (some) =>
            `Column "${col}" is not read as dates: ${twoDigitYears.length.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')} write the year in two digits${some(twoDigitYears, ', such as ', ',')} ` +
            `and LeadLens does not guess its century. It is dropped rather than read as categories, a day each. To have it read as dates (days since), write its dates as ${READABLE_DATE}.`,
        );
        continue;
      }
      // identifier-like: nearly one level per row, or a huge number of levels
      const identifierLike = (distinct.size > 0.5 * values.length && values.length >= 100) || distinct.size > 10_000;
      if (mostlyRead(dates, values.length, MIN_DATE_LIKE_SHARE)) {
        warnQuoting(
          (some) =>
            `Column "${col}" is not read as dates: only ${dates.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')} are dates, and the others${some(notDates, ', such as ', ',')} are not dates in a form LeadLens reads. ` +
            `It is ${identifierLike ? 'dropped instead (too many distinct values for categories)' : 'read as categories instead'}. ` +
            `To have it read as dates (days since), write its dates as ${READABLE_DATE} and leave the cells without a date empty.`,
        );
      } else if (mostlyRead(values.length - notNumbers.length, values.length, MIN_NUMBER_LIKE_SHARE)) {
        warnQuoting(
          (some) =>
            `Column "${col}" is not read as numbers: ${notNumbers.length.toLocaleString('en-US')} of its ${plural(values.length, 'value', 'values')} are not numbers${some(notNumbers, ', such as ')}. ` +
            `It is ${identifierLike ? 'dropped instead (too many distinct values for categories)' : 'read as categories instead'}. ${EMPTY_THE_NOT_NUMBERS}`,
        );
      } else if (identifierLike) {
        warnings.push(`Column "${col}" has ${plural(distinct.size, 'distinct value', 'distinct values')} in ${plural(values.length, 'row', 'rows')} (an identifier or free text?): dropped.`);
      }
      if (!identifierLike) specs.push({ ...base, key: keyOf(col, taken), type: 'categorical', derive: { kind: 'value', from } });
    }
  }
  if (namedPersonal.length > 0) warnings.push(namedPersonalDataWarning(namedPersonal));
  return { specs, warnings, warningsWithoutValues, latestDate };
}

/**
 * Specs → features: categorical vocabularies from the data (levels with ≥ MIN_LEVEL_COUNT rows,
 * most frequent first, at most MAX_LEVELS, then "(other)", which rare and unseen levels map to).
 * "Days since" are measured at `now`, a date alone counted on a clock `utcOffsetMinutes` ahead of
 * UTC (`featureNumber`): by default UTC's, as `train` counts.
 */
export function buildFeatures(
  specs: FeatureSpec[],
  records: RawRecord[],
  source: SourceKind,
  now: Date,
  /** Where notes on the data go; omitted, none are kept. */
  warnings?: string[],
  utcOffsetMinutes = 0,
): Feature[] {
  return specs.map((spec): Feature => {
    const feature: Feature = { ...spec, missingValues: spec.missingValues ?? [], actionable: spec.actionable ?? false };
    if (spec.type !== 'categorical') return feature;
    const counts = new Map<string, number>();
    for (const r of records) {
      const level = featureLevel(r, feature, source, now, utcOffsetMinutes);
      if (level !== null) counts.set(level, (counts.get(level) ?? 0) + 1);
    }
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let kept = sorted.filter(([, c]) => c >= MIN_LEVEL_COUNT);
    if (kept.length > MAX_LEVELS) {
      warnings?.push(`"${spec.label}" has ${kept.length.toLocaleString('en-US')} levels with ≥ ${MIN_LEVEL_COUNT} rows; the ${MAX_LEVELS} most frequent are kept, the rest pooled as "${OTHER_LEVEL}".`);
      kept = kept.slice(0, MAX_LEVELS);
    }
    const pooled = sorted.length - kept.length;
    if (pooled > 1000) warnings?.push(`"${spec.label}" has ${plural(sorted.length, 'distinct value', 'distinct values')}; ${pooled.toLocaleString('en-US')} rare ones are pooled as "${OTHER_LEVEL}".`);
    const vocabulary = kept.map(([level]) => level).filter((l) => l !== OTHER_LEVEL);
    vocabulary.push(OTHER_LEVEL);
    return { ...feature, derive: labelsOfLevels(feature.derive, vocabulary), vocabulary, otherCode: vocabulary.length - 1 };
  });
}

/**
 * `derive` with the page labels (`optionLabels`) of the levels the model learned only: a label of
 * a pooled value reads as "(other)" either way, and a CRM's choice list may hold thousands.
 */
function labelsOfLevels(derive: Derive, vocabulary: readonly string[]): Derive {
  if (derive.kind !== 'value' || !derive.optionLabels) return derive;
  const levels = new Set(vocabulary);
  const learned = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([value]) => levels.has(value)));
  return withOptionLabels(derive, Object.fromEntries(Object.entries(derive.optionLabels).map(([crm, labels]) => [crm, learned(labels)])));
}

/**
 * Why a feature that reads as one value in every row is dropped: a categorical column whose
 * values all have fewer than MIN_LEVEL_COUNT rows differs from row to row, yet every value is
 * pooled into the one level "(other)".
 */
function oneValueWarning(feature: Feature, records: RawRecord[], source: SourceKind, now: Date, utcOffsetMinutes: number): string {
  if (feature.type === 'categorical' && feature.vocabulary?.length === 1) {
    const values = new Set(records.map((record) => featureLevel(record, feature, source, now, utcOffsetMinutes))).size;
    if (values > 1) {
      return `"${feature.label}" has ${plural(values, 'distinct value', 'distinct values')}, each in fewer than ${MIN_LEVEL_COUNT} rows: all are pooled as one level, "${OTHER_LEVEL}", which tells no lead from another: dropped.`;
    }
  }
  return `"${feature.label}" has the same value in every row: dropped.`;
}

/**
 * Why `feature` is dropped when a field it reads as a number holds amounts in more than one
 * currency (`mixedCurrenciesWarning`: a multi-currency Salesforce org's report writes `JPY
 * 74,693,100.00` beside `USD 38,977.00`), which it would read as one; null when none does.
 */
function mixedCurrenciesWarningOf(feature: Feature, records: RawRecord[], source: SourceKind): string | null {
  const d = feature.derive;
  const readAsNumbers = d.kind === 'ratio' ? [d.numerator, d.denominator] : d.kind === 'value' && feature.type === 'numeric' ? [d.from] : [];
  for (const from of readAsNumbers) {
    const currencies = columnCurrencies(records.map((record) => readRaw(record, from, source)), feature.missingValues);
    const warning = mixedCurrenciesWarning(from[source] ?? feature.label, currencies);
    if (warning !== null) return warning;
  }
  return null;
}

/**
 * Featurize and drop features that carry nothing: fully missing, or one value in every row; and
 * those reading amounts in more than one currency as one number (`mixedCurrenciesWarningOf`).
 * Returns the kept features and X [N, F_kept]. `now` and `utcOffsetMinutes` as for `buildFeatures`.
 */
export function featurizeAndPrune(
  features: Feature[],
  records: RawRecord[],
  source: SourceKind,
  now: Date,
  warnings: string[],
  utcOffsetMinutes = 0,
): { features: Feature[]; X: Float32Array } {
  const all = featurizeRecords(records, features, source, now, utcOffsetMinutes); // [N, F]
  const F = features.length;
  const N = records.length;
  const keep: number[] = [];
  for (let f = 0; f < F; f++) {
    let nMissing = 0;
    let first = NaN;
    let varies = false;
    for (let i = 0; i < N; i++) {
      const v = all[i * F + f];
      if (v !== v) nMissing++;
      else if (first !== first) first = v;
      else if (v !== first) varies = true;
    }
    const inCurrencies = mixedCurrenciesWarningOf(features[f], records, source);
    if (inCurrencies !== null) warnings.push(inCurrencies);
    else if (nMissing === N) warnings.push(`"${features[f].label}" is missing in every row: dropped.`);
    else if (!varies && nMissing === 0) warnings.push(oneValueWarning(features[f], records, source, now, utcOffsetMinutes));
    else keep.push(f);
  }
  if (keep.length === 0) throw new TrainingDataError('No usable feature is left: every column is empty, constant or excluded.');
  if (keep.length === F) return { features, X: all };
  const X = new Float32Array(N * keep.length);
  for (let i = 0; i < N; i++) for (let k = 0; k < keep.length; k++) X[i * keep.length + k] = all[i * F + keep[k]];
  return { features: keep.map((f) => features[f]), X };
}

