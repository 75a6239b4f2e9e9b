/**
 * Training data checks on small hand-made tables: the target read ignoring case and spaces, long cells
 * quoted by their start, columns named like Object's own properties, LeadLens scores written back to the
 * CRM, personal data, numeric columns with a few stray notes or too many, numbers too large for the model,
 * record numbers, date columns with a few dates written in a form not read, dates as spreadsheets and CRM
 * exports write them (in words, two-digit years, epoch milliseconds, serial numbers), a column of rare values only,
 * folds that need more rows of a class than the data has, and feature keys made from column names in any
 * script. (Reading the CSV: lib/csv/parse.test.ts; a column's decimal commas: number-format.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { inTimeZone } from '@/test/time-zone';
import { featurizeRecords, type RawRecord } from '../featurize';
import { FeatureSpecSchema, type FeatureSpec } from '../manifest';
import { mulberry32 } from '../random';
import { parseCsv, type Table } from '../../csv/parse';
import { buildFeatures, buildLabels, checkFolds, featurizeAndPrune, inferFeatureSpecs, keyOf, namesPersonalData } from './dataset';
import { TooManyFoldsError, TrainingDataError } from './errors';
import { candidateFeatures, OUTCOME_COLUMN } from './training-set';
import { DEMO_FEATURE_SPECS } from '../../crm/demo-data';

/** A table of `n` rows: column name → the cell of row i. */
function tableOf(n: number, cells: Record<string, (i: number) => string>): Table {
  const records: RawRecord[] = Array.from({ length: n }, (_, i) => Object.fromEntries(Object.entries(cells).map(([col, cell]) => [col, cell(i)])));
  return { columns: Object.keys(cells), records };
}

describe('buildLabels reads target values trimmed and ignoring case', () => {
  const spellings = ['Yes', 'yes', ' yes ', 'YES'];
  const table = tableOf(60, { converted: (i) => (i % 3 === 0 ? spellings[i % 4] : i % 2 ? 'No' : 'no ') });
  const converted = table.records.filter((_, i) => i % 3 === 0).length;

  it('finds the positive value among spellings of yes / no', () => {
    const { labels, positive, negative } = buildLabels(table, 'converted');
    expect(labels.reduce((a, b) => a + b, 0)).toBe(converted);
    expect(labels[0]).toBe(1);
    expect(labels[1]).toBe(0);
    expect([positive, negative]).toEqual(['Yes', 'No']); // as first written
  });

  it('matches --positive in any case', () => {
    expect(buildLabels(table, 'converted', ' yes').labels.reduce((a, b) => a + b, 0)).toBe(converted);
    expect(buildLabels(table, 'converted', 'NO').labels.reduce((a, b) => a + b, 0)).toBe(60 - converted);
  });

  it('still tells a third value apart', () => {
    const three = tableOf(60, { converted: (i) => (i % 3 === 0 ? 'Yes' : i % 3 === 1 ? 'no' : 'Maybe') });
    expect(() => buildLabels(three, 'converted')).toThrow(/"Yes" \(20\), "no" \(20\) and "Maybe" \(20\)/);
    expect(() => buildLabels(three, 'converted', 'YES')).toThrow('other than the positive "Yes" and one negative');
  });

  it('guesses the positive value only beside a negative one: of 1 = lost, 2 = won neither is taken as converted', () => {
    const lostWon = tableOf(60, { outcome: (i) => (i % 3 === 0 ? '2' : '1') });
    expect(() => buildLabels(lostWon, 'outcome')).toThrow(new TrainingDataError('Cannot tell which value of "outcome" means converted: "1" (40) and "2" (20). Pass --positive VALUE.'));
    expect(() => buildLabels(tableOf(60, { outcome: (i) => (i % 3 === 0 ? 'Won' : 'Open') }), 'outcome')).toThrow('Cannot tell which value of "outcome" means converted: "Open" (40) and "Won" (20).');
    expect(() => buildLabels(tableOf(60, { outcome: (i) => (i % 3 === 0 ? 'yes' : '1') }), 'outcome')).toThrow('Cannot tell which value');
    expect(buildLabels(lostWon, 'outcome', '2').labels.reduce((a, b) => a + b, 0)).toBe(20);
    for (const [yes, no] of [['Won', 'Lost'], ['1', '0'], ['true', 'false'], ['Closed Won', 'Closed Lost'], ['y', 'n']]) {
      const table = tableOf(60, { outcome: (i) => (i % 3 === 0 ? yes : no) });
      expect(buildLabels(table, 'outcome'), `${yes}/${no}`).toMatchObject({ positive: yes, negative: no });
      expect(buildLabels(tableOf(60, { outcome: (i) => (i % 3 === 0 ? no : yes) }), 'outcome').positive, `${no}/${yes}`).toBe(yes);
    }
  });

  it('asks for two values straight away when there are more and no positive value is given (naming one would not do)', () => {
    const table = tableOf(200, { converted: (i) => (i === 3 ? 'maybe' : i % 4 === 0 ? '1' : '0') });
    expect(() => buildLabels(table, 'converted')).toThrow(
      new TrainingDataError('The target column "converted" has 3 values: "0" (149), "1" (50) and "maybe" (1); training needs two, converted and not converted. Map it to two values first.'),
    );
    const stages = tableOf(70, { stage: (i) => `stage ${i % 7}` });
    expect(() => buildLabels(stages, 'stage')).toThrow(
      'The target column "stage" has 7 values: "stage 0" (10), "stage 1" (10), "stage 2" (10), "stage 3" (10), "stage 4" (10) and 2 more; training needs two',
    );
  });
});

describe('checkFolds', () => {
  const labels = Uint8Array.from({ length: 60 }, (_, i) => (i < 12 ? 1 : 0));
  it('allows as many folds as the smaller class has rows', () => expect(() => checkFolds(labels, 12)).not.toThrow());
  it('says what more folds need, in folds (the app has no --cv flag)', () => {
    expect(() => checkFolds(labels, 13)).toThrow('Cross-validation in 13 folds needs at least 13 converted and 13 other rows; the data has 12 converted. Use at most 12 folds.');
    expect(() => checkFolds(labels, 100)).toThrow(/at least 100 converted and 100 other rows; the data has 12 converted and 48 other\./);
    expect(() => checkFolds(labels, 13)).toThrow(TooManyFoldsError);
  });
});

describe('warnings and errors quote a long cell by its first 60 characters', () => {
  const note = `${'A note pasted into the wrong column. '.repeat(30_000)}end`; // over 1 MB
  const quoted = `"${note.slice(0, 60).trimEnd()}…"`;
  const converted = (i: number) => String(i % 2);

  it('in a note on values of a column not read as numbers or dates', () => {
    const numbers = inferFeatureSpecs(tableOf(100, { employees: (i) => (i === 7 ? note : String(10 * (i % 6))), converted }), 'converted', []);
    expect(numbers.warnings).toEqual([`Column "employees" is read as numbers; 1 value(s) in it are not numbers and read as missing: ${quoted}.`]);
    const dates = inferFeatureSpecs(tableOf(100, { created: (i) => (i === 7 ? note : `2025-01-${String((i % 28) + 1).padStart(2, '0')}`), converted }), 'converted', []);
    expect(dates.warnings[0]).toMatch(/^Column "created" is read as dates; 1 value\(s\) in it are not dates in a form LeadLens reads and read as missing: "A note/);
    expect(dates.warnings[0]).toContain(`: ${quoted}. Write dates as`);
  });

  it("in an error on the target's values", () => {
    const table = tableOf(60, { converted: (i) => (i === 7 ? note : i % 2 ? 'Yes' : 'No') });
    expect(() => buildLabels(table, 'converted', 'Yes')).toThrow(`The target column "converted" has values other than the positive "Yes" and one negative: "No" (30), "Yes" (29) and ${quoted} (1).`);
    expect(() => buildLabels(table, 'converted', `${note}?`)).toThrow(`The positive value ${quoted} does not occur in "converted".`);
  });
});

describe('inferFeatureSpecs words its notes quoting values without them too, for the model card, which is shared', () => {
  it('counts the values, without quoting any, in each note that quotes some', () => {
    const note = 'call Maria Schmidt after 6pm (divorced, sensitive)';
    const day = (i: number) => `2025-01-${String((i % 28) + 1).padStart(2, '0')}`;
    const table = tableOf(100, {
      employees: (i) => (i === 7 ? note : String(10 * (i % 6))),
      revenue: (i) => (i === 7 ? '5e38' : String(1000 * (i % 7))),
      created: (i) => (i === 7 ? note : day(i)),
      last_call: (i) => (i % 3 === 0 ? note : day(i)),
      size: (i) => (i % 10 === 3 ? note : String(10 * (i % 6))),
      converted: (i) => String(i % 2),
    });
    const { warnings, warningsWithoutValues } = inferFeatureSpecs(table, 'converted', []);
    expect(warnings.every((warning) => warning.includes(`"${note}"`) || warning.includes('"5e38"'))).toBe(true);
    expect(warnings.map((warning) => warningsWithoutValues.get(warning))).toEqual([
      'Column "employees" is read as numbers; 1 value(s) in it are not numbers and read as missing.',
      'Column "revenue" has 1 number(s) too large for the model, beyond ±3.4e38, read as missing.',
      'Column "created" is read as dates; 1 value(s) in it are not dates in a form LeadLens reads and read as missing. Write dates as YYYY-MM-DD (e.g. 2026-09-19) to have them read.',
      'Column "last_call" is not read as dates: only 66 of its 100 values are dates, and the others are not dates in a form LeadLens reads. It is read as categories instead. ' +
        'To have it read as dates (days since), write its dates as YYYY-MM-DD (e.g. 2026-09-19) and leave the cells without a date empty.',
      'Column "size" is not read as numbers: 10 of its 100 values are not numbers. It is read as categories instead. To have it read as numbers, leave the cells without a number empty.',
    ]);
  });
});

describe("training on columns named like Object's own properties, as parseCsv reads them", () => {
  const rows = Array.from({ length: 60 }, (_, i) => `L-${i},${['web', 'event', 'partner'][i % 3]},${i % 7},${i % 2}`);
  const table = parseCsv(['id,__proto__,constructor,converted', ...rows].join('\n'));

  it('trains on them like any column', () => {
    const { specs } = inferFeatureSpecs(table, 'converted', ['id']);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([
      ['__proto__', 'categorical'],
      ['constructor', 'numeric'],
    ]);
    const now = new Date(0);
    const { features, X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now), table.records, 'csv', now, []);
    expect(features[0].vocabulary).toEqual(['event', 'partner', 'web', '(other)']);
    expect([X[2], X[3]]).toEqual([0, 1]); // row 1: "event", 1
  });

  it('reads a column the file lacks as missing, even when Object has a property of that name', () => {
    const warnings: string[] = [];
    const spec = { key: 'to_string', label: 'toString', type: 'numeric' as const, derive: { kind: 'value' as const, from: { csv: 'toString' } }, missingValues: [], actionable: false };
    const now = new Date(0);
    expect(() => featurizeAndPrune(buildFeatures([spec], table.records, 'csv', now), table.records, 'csv', now, warnings)).toThrow('No usable feature is left');
    expect(warnings).toEqual(['"toString" is missing in every row: dropped.']);
  });
});

describe('inferFeatureSpecs: LeadLens scores written back to the CRM', () => {
  it('drops them, as Salesforce fields (namespaced too) and HubSpot properties, with a warning; keeps look-alikes', () => {
    const score = (i: number) => String(i % 100);
    const table = tableOf(200, { LeadLens_Score__c: score, acme__LeadLens_Tier__c: (i) => (i % 2 ? 'Hot' : 'Cold'), leadlens_reason: (i) => `reason ${i % 7}`, leadlenses_owned: score, converted: (i) => String(i % 2) });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['leadlenses_owned']);
    expect(warnings).toEqual(['LeadLens_Score__c', 'acme__LeadLens_Tier__c', 'leadlens_reason'].map((col) => `Column "${col}" holds a LeadLens score written back to the CRM, not a fact about the lead: dropped.`));
  });
});

describe('inferFeatureSpecs: personal data, whose values a model would keep', () => {
  const converted = (i: number) => String(i % 2);
  const kept = 'A model keeps some of the values it learns from, and anyone given the model could read them.';
  const why = `named as personal data (a person's name, e-mail address, phone number, address or birth date): dropped. ${kept}`;
  // 100 people, 15 rows each: few distinct values for many rows, as in a long history, so none is dropped as an identifier
  const person = (i: number) => i % 100;

  it('drops a column named as a person or a contact detail, whatever its values and however they repeat', () => {
    const table = tableOf(1500, {
      full_name: (i) => `Anna Schmidt ${person(i)}`,
      Email: (i) => `anna.schmidt${person(i)}@acme.example`,
      MobilePhone: (i) => String(16_022_050_300 + person(i)),
      birth_date: (i) => `1987-09-${String((person(i) % 28) + 1).padStart(2, '0')}`,
      PostalCode: (i) => String(58_400 + person(i)),
      firstname: (i) => ['Anna', 'Ben', 'Carla'][i % 3],
      'Mailing Street': (i) => `Hauptstraße ${person(i)}`,
      Date_of_Birth__c: (i) => `1980-01-${String((person(i) % 28) + 1).padStart(2, '0')}`,
      'Company Name': (i) => ['Acme GmbH', 'Globex Ltd', 'Initech'][i % 3],
      Title: (i) => ['CEO', 'Head of Sales', 'Intern'][i % 3],
      converted,
    });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['Company Name', 'Title']);
    expect(warnings).toEqual([`Columns "full_name", "Email", "MobilePhone", "birth_date", "PostalCode", "firstname", "Mailing Street" and "Date_of_Birth__c" are ${why}`]);
  });

  it('drops a column whose values are mostly e-mail addresses or phone numbers, whatever it is called', () => {
    const table = tableOf(1500, {
      'Reply to': (i) => (i % 3 === 0 ? '' : i % 3 === 1 ? 'ask reception' : `anna${person(i)}@acme.example`),
      Reach: (i) => (i % 4 === 0 ? 'ask reception' : ['+49 30 2441955', '(555) 010-4477', '030 2441-9550'][i % 3]),
      channel: (i) => ['cellular', 'telephone'][i % 2],
      'Deal size': (i) => ['1 200 000', '350 000'][i % 2],
      converted,
    });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['channel', 'Deal size']);
    expect(warnings).toEqual([
      `Column "Reply to" holds e-mail addresses (500 of its 1,000 values), which are personal data: dropped. ${kept}`,
      `Column "Reach" holds phone numbers (1,125 of its 1,500 values), which are personal data: dropped. ${kept}`,
    ]);
  });

  it('writes the counts of a column dropped as an identifier or free text with thousands separators, as the page writes counts', () => {
    const table = tableOf(9006, { note: (i) => `call back ${i}`, 'Record ID': (i) => String(5_000_000 + i), visits: (i) => String(i % 9), converted });
    const { warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(warnings).toEqual([
      'Column "note" has 9,006 distinct values in 9,006 rows (an identifier or free text?): dropped.',
      'Column "Record ID" is named as an identifier and every row has its own whole number (9,006 distinct in 9,006 rows): dropped.',
    ]);
  });

  it('does not take dates written with dashes or spaces, which the date-order pass may leave as written, for phone numbers', () => {
    // Day first and month first in one column (kept as written, with a warning), and year first with spaces: 8 digits in groups, as a phone number may be.
    const table = tableOf(60, {
      'Last Contacted': (i) => ['24-10-2025', '03-15-2025', '01-02-2025', '12-11-2025'][i % 4],
      Renewal: (i) => ['2024 01 05', '2023 12 31', '2024 06 15', '2024 02 01'][i % 4],
      Reach: (i) => ['+49 30 2441955', '(555) 010-4477', '555-010-4477'][i % 3],
      converted,
    });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['Last Contacted', 'Renewal']);
    expect(warnings).toEqual([`Column "Reach" holds phone numbers (60 of its 60 values), which are personal data: dropped. ${kept}`]);
  });

  it("reads a bare name after another word as no person's name (a business's, an office's), unlike a person's name or contact detail after one", () => {
    const personal = ['Lead First Name', 'Primary Contact Name', 'Person Name', 'Assistant Name', 'Name 1', 'Lead Email', 'Business Address', 'Lead Birthdate'];
    for (const name of personal) expect(namesPersonalData(name), name).toBe(true);
    const notPersonal = ['Business Name', 'Office Name', 'Primary Name', 'Other Name', 'Company Name', 'Account Name', 'Lead Source Name', 'Campaign Name', 'Owner Name'];
    for (const name of notPersonal) expect(namesPersonalData(name), name).toBe(false);
  });

  it("reads CRMs' API names and qualified names as personal data, and not names that only mention one", () => {
    const personal = ['Name', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Fax', 'Street', 'PostalCode', 'Birthdate'];
    const hubspot = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'address', 'zip', 'date_of_birth'];
    const qualified = ['Lead Name', 'Contact Name', 'Work Email', 'E-Mail', 'Home Phone', 'Phone Number', 'Address Line 2', 'ns__Email__c', 'Postcode'];
    for (const name of [...personal, ...hubspot, ...qualified]) expect(namesPersonalData(name), name).toBe(true);
    const notPersonal = ['Company Name', 'Account Name', 'Lead Source', 'Email Opens', 'email_clicks', 'Do Not Email', 'HasOptedOutOfEmail', 'Email Domain', 'Phone Calls', 'Direct Mail', 'contact', 'City', 'Country', 'Title', 'age'];
    for (const name of notPersonal) expect(namesPersonalData(name), name).toBe(false);
  });

  it("reads the names CRM exports give a person's name and contact details in German, French, Spanish, Dutch, Italian and Portuguese as personal data, whatever their accents and case", () => {
    const personal = {
      de: ['Vorname', 'Nachname', 'Name', 'Familienname', 'Vollständiger Name', 'E-Mail', 'E-Mail-Adresse', 'Telefon', 'Telefonnummer', 'Mobiltelefon', 'Handy', 'Straße', 'STRASSE', 'Adresse', 'Anschrift', 'PLZ', 'Postleitzahl', 'Geburtsdatum'],
      fr: ['Prénom', 'PRENOM', 'Nom', 'Nom de famille', 'Nom complet', 'Courriel', 'Adresse e-mail', 'Adresse électronique', 'Téléphone', 'Numéro de téléphone', 'Tél.', 'Téléphone mobile', 'Portable', 'Rue', 'Adresse 2', 'Code postal', 'Date de naissance'],
      es: ['Nombre', 'Apellido', 'Apellidos', 'Nombre completo', 'Correo electrónico', 'Correo', 'Teléfono', 'Número de teléfono', 'Móvil', 'Teléfono móvil', 'Celular', 'Dirección', 'Calle', 'Código postal', 'Fecha de nacimiento'],
      nl: ['Voornaam', 'Achternaam', 'Naam', 'Tussenvoegsel', 'Volledige naam', 'E-mailadres', 'Telefoon', 'Telefoonnummer', 'Mobiel', 'Straat', 'Adres', 'Postcode', 'Geboortedatum'],
      it: ['Nome', 'Cognome', 'Nome completo', 'Indirizzo email', 'Posta elettronica', 'Telefono', 'Numero di telefono', 'Cellulare', 'Indirizzo', 'CAP', 'Codice postale', 'Data di nascita'],
      pt: ['Nome', 'Sobrenome', 'Apelido', 'Nome completo', 'Endereço de e-mail', 'Telefone', 'Número de telefone', 'Celular', 'Telemóvel', 'Endereço', 'Morada', 'Rua', 'CEP', 'Código postal', 'Data de nascimento'],
    };
    for (const [language, names] of Object.entries(personal)) for (const name of names) expect(namesPersonalData(name), `${language}: ${name}`).toBe(true);
    // As "Company Name", "City" and "Country" in English: a company's name, counts and places are not a person's.
    const notPersonal = {
      de: ['Firmenname', 'Firma', 'Unternehmen', 'Anzahl der Mitarbeiter', 'Mitarbeiteranzahl', 'Stadt', 'Ort', 'Land', 'Branche', 'Lead-Quelle', 'E-Mail-Öffnungen', 'Keine E-Mails'],
      fr: ["Nom de l'entreprise", 'Nom de la société', "Nombre d'employés", 'Nombre de salariés', 'Nombre de visites', 'Ville', 'Pays', 'Secteur', "Origine de la piste", 'Ouvertures des e-mails'],
      es: ['Nombre de la empresa', 'Nombre de empresa', 'Número de empleados', 'Ciudad', 'País', 'Sector', 'Origen del lead', 'Correos abiertos'],
      nl: ['Bedrijfsnaam', 'Aantal medewerkers', 'Plaats', 'Stad', 'Land', 'Branche', 'Leadbron'],
      it: ['Nome azienda', "Nome dell'azienda", 'Numero di dipendenti', 'Città', 'Paese', 'Settore', 'Fonte del lead', 'Via di contatto'],
      pt: ['Nome da empresa', 'Número de funcionários', 'Cidade', 'País', 'Setor', 'Origem do lead', 'Cargo'],
    };
    for (const [language, names] of Object.entries(notPersonal)) for (const name of names) expect(namesPersonalData(name), `${language}: ${name}`).toBe(false);
  });

  it("reads a person's name in two parts, a mobile number, and a detail qualified before or after its name as these languages place qualifiers, as personal data", () => {
    const personal = {
      en: ['Mobile Phone Number', 'Cell Phone Number', 'Phone (work)', 'Email (Home)', 'Work Mobile'],
      de: ['Vor- und Nachname', 'Vorname und Nachname', 'Mobiltelefonnummer', 'Telefon geschäftlich', 'Telefon (geschäftlich)', 'E-Mail (privat)', 'Geschäftliche E-Mail', 'Private Telefonnummer', 'Straße und Hausnummer'],
      fr: ['Nom et prénom', 'Prénom et nom', 'Numéro de téléphone portable', 'Numéro de portable', 'Téléphone professionnel', 'E-mail professionnel', 'Adresse du domicile', 'Téléphone du bureau', 'Adresse de facturation'],
      es: ['Nombre y apellidos', 'Primer apellido', 'Segundo apellido', 'Apellido paterno', 'Apellido materno', 'Número de teléfono móvil', 'Número de celular', 'Teléfono de la oficina', 'Correo electrónico del trabajo', 'Correo personal', 'Teléfono de casa'],
      nl: ['Voor- en achternaam', 'Mobiel telefoonnummer', 'Zakelijk e-mailadres', 'Telefoonnummer van het werk', 'E-mailadres (privé)'],
      it: ['Nome e cognome', 'Numero di cellulare', 'Telefono ufficio', "Telefono dell'ufficio", 'Email aziendale', 'Indirizzo di casa'],
      pt: ['Primeiro nome', 'Último nome', 'Nome próprio', 'Nome e sobrenome', 'Número de celular', 'Telefone do trabalho', 'E-mail pessoal', 'Telefone comercial'],
    };
    for (const [language, names] of Object.entries(personal)) for (const name of names) expect(namesPersonalData(name), `${language}: ${name}`).toBe(true);
    // A qualifier after a company's name, a count or a date leaves it what it was; so does one that is a column's only word.
    const notPersonal = {
      en: ['Mobile App Installs', 'Home Page Visits', 'Work Type', 'Home Office', 'Home', 'Mobile Home', 'Mobile Office', 'Cell Work'],
      de: ['Anzahl Mitarbeiter', 'Firmenname (geschäftlich)', 'Telefonate (privat)', 'Privat'],
      fr: ["Nom de l'entreprise", 'Nombre de salariés', 'Visites mobile', 'Nom du bureau', 'Date de livraison'],
      es: ['Nombre de la oficina', 'Número de empleados', 'Fecha de envío', 'Tipo de teléfono'],
      nl: ['Aantal medewerkers', 'Bedrijfsnaam (zakelijk)'],
      it: ['Nome aziendale', 'Numero di dipendenti', 'Data di spedizione'],
      pt: ['Nome da empresa', 'Número de funcionários', 'Setor comercial', 'Data de entrega'],
    };
    for (const [language, names] of Object.entries(notPersonal)) for (const name of names) expect(namesPersonalData(name), `${language}: ${name}`).toBe(false);
  });

  it('leaves a known feature that reads such a field on purpose (the e-mail domain) to the catalogue, and offers no other field of personal data', () => {
    const table = tableOf(60, { Email: (i) => `anna${i % 6}@${['gmail.com', 'acme.example'][i % 2]}`, FirstName: (i) => ['Anna', 'Ben'][i % 2], Rating: (i) => ['Hot', 'Cold'][i % 2], [OUTCOME_COLUMN]: converted });
    const { candidates, notes } = candidateFeatures(DEMO_FEATURE_SPECS, table, 'salesforce', []);
    expect(candidates.map(({ spec, origin }) => [spec.key, origin])).toEqual([['email_domain', 'catalogue'], ['rating', 'inferred']]);
    expect(notes).toEqual([`Column "FirstName" is ${why}`]);
  });
});

describe('inferFeatureSpecs: numbers with a few stray notes', () => {
  const typeOf = (table: Table, col: string) => inferFeatureSpecs(table, 'converted', []).specs.find((s) => s.label === col)?.type;
  const converted = (i: number) => String(i % 2);

  it('keeps a column numeric when ≥ 95 % of its values are numbers, and names the others in a warning', () => {
    const notes = ['unknown', 'ask sales', 'unknown', 'tbd', 'later'];
    // 200 distinct numbers: as categories this column would be dropped as an identifier
    const table = tableOf(200, { revenue: (i) => (i % 40 === 7 ? notes[(i - 7) / 40] : `${1000 + i}.50`), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.find((s) => s.label === 'revenue')?.type).toBe('numeric');
    expect(warnings).toEqual(['Column "revenue" is read as numbers; 5 value(s) in it are not numbers and read as missing: "unknown", "ask sales", "tbd".']);
    const now = new Date(0);
    const { X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now, []), table.records, 'csv', now, []);
    expect(X[7]).toBeNaN();
    expect(X[8]).toBe(1008.5);
  });

  it('keeps a column of numbers numeric without a warning, and one with 10 % text categorical', () => {
    const clean = tableOf(100, { visits: (i) => String(i % 9), converted });
    expect(typeOf(clean, 'visits')).toBe('numeric');
    expect(inferFeatureSpecs(clean, 'converted', []).warnings).toEqual([]);
    const mixed = tableOf(100, { size: (i) => (i % 10 === 0 ? 'large' : String(i % 4)), converted });
    expect(typeOf(mixed, 'size')).toBe('categorical');
  });
});

describe('inferFeatureSpecs: a number column with too many notes in it', () => {
  const converted = (i: number) => String(i % 2);
  const advice = 'To have it read as numbers, leave the cells without a number empty.';

  it('says how many values are not numbers, quotes 3, and how to have it read as numbers, when half or more are numbers', () => {
    const notes = ['n/a yet', 'ask sales', 'unknown', 'ask sales'];
    // 10 % notes: too many for numbers; repeated numbers: read as categories
    const size = tableOf(100, { employees: (i) => (i % 10 === 3 ? notes[((i - 3) / 10) % 4] : String(10 * (i % 6))), converted });
    const categories = inferFeatureSpecs(size, 'converted', []);
    expect(categories.specs.map((spec) => [spec.label, spec.type])).toEqual([['employees', 'categorical']]);
    expect(categories.warnings).toEqual([
      `Column "employees" is not read as numbers: 10 of its 100 values are not numbers, such as "n/a yet", "ask sales", "unknown". It is read as categories instead. ${advice}`,
    ]);
    // 20 % notes among numbers of their own: dropped, as too many categories, said as the same problem rather than as an identifier
    const revenue = tableOf(200, { revenue: (i) => (i % 5 === 0 ? 'unknown' : `${1000 + i}.5`), converted });
    const dropped = inferFeatureSpecs(revenue, 'converted', []);
    expect(dropped.specs).toEqual([]);
    expect(dropped.warnings).toEqual([
      `Column "revenue" is not read as numbers: 40 of its 200 values are not numbers, such as "unknown". It is dropped instead (too many distinct values for categories). ${advice}`,
    ]);
  });

  it('reads the notes as missing, without a word, when they are listed as missing values', () => {
    const size = tableOf(100, { employees: (i) => (i % 10 === 3 ? 'unknown' : String(10 * (i % 6))), converted });
    const { specs, warnings } = inferFeatureSpecs(size, 'converted', [], ['unknown']);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([['employees', 'numeric']]);
    expect(warnings).toEqual([]);
  });

  it('says nothing of numbers in a text column with fewer than half numbers', () => {
    const plan = tableOf(100, { plan: (i) => (i % 3 === 0 ? String(i % 4) : ['basic', 'pro'][i % 2]), converted });
    const { specs, warnings } = inferFeatureSpecs(plan, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([['plan', 'categorical']]);
    expect(warnings).toEqual([]);
  });
});

describe('inferFeatureSpecs: numbers too large for the model', () => {
  it('says how many read as missing (beyond float32), quoting them, as training and scoring read them', () => {
    const table = tableOf(100, { revenue: (i) => (i % 20 === 1 ? ['5e38', '-4e38', '5e38'][i % 3] : i === 4 ? '3.4e38' : String(1000 * (i % 7))), converted: (i) => String(i % 2) });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([['revenue', 'numeric']]);
    expect(warnings).toEqual(['Column "revenue" has 5 number(s) too large for the model, beyond ±3.4e38, read as missing: "-4e38", "5e38".']);
    const now = new Date(0);
    const { X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now, []), table.records, 'csv', now, []);
    expect([X[1], X[21], X[4], X[5]]).toEqual([NaN, NaN, Math.fround(3.4e38), 5000]);
  });
});

describe('inferFeatureSpecs: a whole number of its own in every row, as a record number has', () => {
  const converted = (i: number) => String(i % 2);

  it('drops a column named as an identifier, numbered in order or not, with a warning', () => {
    const table = tableOf(60, {
      'Record ID': (i) => String(5_000_065 + 110 * i),
      'Lead Number': (i) => String(660_737 - 7 * i),
      contact_id: (i) => String(i + 1),
      leadId: (i) => String((i * 7919) % 100_003),
      'Account No.': (i) => String(i * 3),
      'Ticket #': (i) => String(900 + i),
      visits: (i) => String(i % 9),
      converted,
    });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['visits']);
    expect(warnings).toEqual(
      ['Record ID', 'Lead Number', 'contact_id', 'leadId', 'Account No.', 'Ticket #'].map((col) => `Column "${col}" is named as an identifier and every row has its own whole number (60 distinct in 60 rows): dropped.`),
    );
  });

  it('drops one with a few empty cells or notes too (99 % of the numbers distinct)', () => {
    const table = tableOf(300, { 'Record ID': (i) => (i === 8 ? '' : i === 9 ? 'n/a' : i === 10 ? '5000100' : String(5_000_000 + i)), visits: (i) => String(i % 9), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => spec.label)).toEqual(['visits']);
    expect(warnings).toEqual(['Column "Record ID" is named as an identifier and every row has its own whole number (297 distinct in 298 rows): dropped.']);
  });

  it('keeps one numbered like records but not named as an identifier, saying to exclude it if it is one', () => {
    const table = tableOf(80, { 'Number of Pageviews': (i) => String(i), created_ts: (i) => String(1_767_225_600 + 3_600 * i), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([['Number of Pageviews', 'numeric'], ['created_ts', 'numeric']]);
    expect(warnings).toEqual([
      'Column "Number of Pageviews": every row has its own whole number (80 distinct in 80 rows), as in an identifier. It is read as numbers; if it is an identifier, exclude it.',
      'Column "created_ts": every row has its own whole number (80 distinct in 80 rows), as in an identifier. It is read as numbers; if it is an identifier, exclude it.',
    ]);
  });

  it('leaves ordinary numbers alone: counts and amounts that repeat, amounts of their own spread over orders of magnitude, decimals, fewer than 50 rows', () => {
    const amounts = tableOf(200, {
      visits: (i) => String((i * 7) % 23),
      revenue: (i) => String([12_000, 50_000, 250_000, 1_000_000][i % 4]),
      annual_revenue: (i) => String(Math.round(12_000 * 1.03 ** i)),
      score_id: (i) => `${i}.5`,
      converted,
    });
    const { specs, warnings } = inferFeatureSpecs(amounts, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([['visits', 'numeric'], ['revenue', 'numeric'], ['annual_revenue', 'numeric'], ['score_id', 'numeric']]);
    expect(warnings).toEqual([]);
    const few = tableOf(49, { 'Record ID': (i) => String(i + 1), converted });
    expect(inferFeatureSpecs(few, 'converted', [])).toMatchObject({ specs: [{ label: 'Record ID', type: 'numeric' }], warnings: [] });
  });
});

describe('inferFeatureSpecs: dates with a few written in a form not read', () => {
  const DAY = 86_400_000;
  const converted = (i: number) => String(i % 2);
  const isoDay = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY).toISOString().slice(0, 10);

  it('reads a column of mostly dates as days since instead of dropping it as an identifier', () => {
    // as a CRM export's "Last Touch": 1,280 distinct dates in 3,231 cells, one a quarter
    const table = tableOf(3231, { 'Last Touch': (i) => (i === 5 ? 'Q3 2026' : isoDay(i % 1280)), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type, spec.derive.kind])).toEqual([['Days since Last Touch', 'numeric', 'daysSince']]);
    expect(warnings).toEqual([
      'Column "Last Touch" is read as dates; 1 value(s) in it are not dates in a form LeadLens reads and read as missing: "Q3 2026". ' +
        'Write dates as YYYY-MM-DD (e.g. 2026-09-19) to have them read.',
    ]);
  });

  it('quotes up to 3 of the unread values, and reads them as missing in training and in scoring alike', () => {
    const unread: Record<number, string> = { 7: 'Q3 2026', 8: '11-Jun-26', 9: '3/4/26', 10: 'Q3 2026', 11: 'early Oct 2026' };
    const table = tableOf(200, { 'Last Touch': (i) => unread[i] ?? isoDay(i), converted });
    const { specs, warnings, latestDate } = inferFeatureSpecs(table, 'converted', []);
    expect(warnings).toEqual([
      'Column "Last Touch" is read as dates; 5 value(s) in it are not dates in a form LeadLens reads and read as missing: "Q3 2026", "11-Jun-26", "3/4/26". ' +
        'Write dates as YYYY-MM-DD (e.g. 2026-09-19) to have them read.',
    ]);
    expect(latestDate).toBe(Date.UTC(2026, 0, 1) + 199 * DAY); // from the dates read only
    const now = new Date(latestDate!);
    const { features, X } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now, []), table.records, 'csv', now, []);
    expect([X[7], X[12]]).toEqual([NaN, 187]);
    const scored = featurizeRecords([{ 'Last Touch': 'Q4 2026' }, { 'Last Touch': isoDay(190) }], features, 'csv', now, 0);
    expect([...scored]).toEqual([NaN, 9]);
  });

  it('counts a date alone to the day training measures from on UTC\'s clock, wherever it runs, unless given the clock of a CRM history\'s now', async () => {
    const specs: FeatureSpec[] = [{ key: 'last_touch_days_since', label: 'Days since Last Touch', type: 'numeric', unit: 'days', derive: { kind: 'daysSince', from: { csv: 'Last Touch' } }, missingValues: [], actionable: false }];
    const records = [{ 'Last Touch': '2026-10-31' }, { 'Last Touch': '2026-10-30' }];
    // --now 2026-11-01 is midnight UTC: 5 pm on Oct 31 in Los Angeles (UTC−7 that day).
    const now = new Date('2026-11-01T00:00:00Z');
    const daysSince = (utcOffsetMinutes?: number) => {
      const features = buildFeatures(specs, records, 'csv', now, [], utcOffsetMinutes);
      return [...featurizeAndPrune(features, records, 'csv', now, [], utcOffsetMinutes).X];
    };
    await inTimeZone('America/Los_Angeles', () => {
      expect(daysSince()).toEqual([1, 2]);
      expect(daysSince(-420)).toEqual([0, 1]);
    });
  });

  it('reads a column half or less of dates as categories, and says why and how to have it read as dates when half are', () => {
    // repeated values: kept as categories
    const few = tableOf(60, { 'Last Touch': (i) => (i % 2 ? isoDay(i % 5) : `2026 W${(i % 5) + 1}`), converted });
    const inferred = inferFeatureSpecs(few, 'converted', []);
    expect(inferred.specs.map((spec) => [spec.label, spec.type])).toEqual([['Last Touch', 'categorical']]);
    const advice = 'To have it read as dates (days since), write its dates as YYYY-MM-DD (e.g. 2026-09-19) and leave the cells without a date empty.';
    expect(inferred.warnings).toEqual([
      'Column "Last Touch" is not read as dates: only 30 of its 60 values are dates, and the others, such as "2026 W1", "2026 W3", "2026 W5", ' +
        `are not dates in a form LeadLens reads. It is read as categories instead. ${advice}`,
    ]);
    // nearly one value per row: dropped, said as the same problem rather than as an identifier
    const many = tableOf(200, { 'Last Touch': (i) => (i % 2 ? isoDay(i) : `Day ${i}`), converted });
    const dropped = inferFeatureSpecs(many, 'converted', []);
    expect(dropped.specs).toEqual([]);
    expect(dropped.warnings).toEqual([
      'Column "Last Touch" is not read as dates: only 100 of its 200 values are dates, and the others, such as "Day 0", "Day 2", "Day 4", ' +
        `are not dates in a form LeadLens reads. It is dropped instead (too many distinct values for categories). ${advice}`,
    ]);
    // text with a few dates in it: categories, with no word of dates
    const text = tableOf(60, { stage: (i) => (i % 10 === 0 ? isoDay(i % 3) : ['new', 'working', 'nurture'][i % 3]), converted });
    const stage = inferFeatureSpecs(text, 'converted', []);
    expect(stage.specs.map((spec) => [spec.label, spec.type])).toEqual([['stage', 'categorical']]);
    expect(stage.warnings).toEqual([]);
  });
});

describe('inferFeatureSpecs: dates as spreadsheets and CRM exports write them', () => {
  const DAY = 86_400_000;
  const converted = (i: number) => String(i % 2);
  const december = (i: number) => Date.UTC(2025, 11, 1) + (i % 28) * DAY;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  /** `ms` as Excel's mmm d, yyyy writes it: Dec 19, 2025. */
  const inWords = (ms: number) => `${MONTHS[new Date(ms).getUTCMonth()]} ${new Date(ms).getUTCDate()}, ${new Date(ms).getUTCFullYear()}`;
  const advice = 'To have it read as dates (days since), write its dates as YYYY-MM-DD (e.g. 2026-09-19).';

  it('reads dates with the month in words as days since, and scores them so', () => {
    const table = tableOf(300, { 'Last Activity Date': (i) => inWords(december(i)), converted });
    const { specs, warnings, latestDate } = inferFeatureSpecs(table, 'converted', []);
    expect(warnings).toEqual([]);
    expect(specs.map((spec) => [spec.label, spec.derive.kind])).toEqual([['Days since Last Activity Date', 'daysSince']]);
    expect(latestDate).toBe(Date.UTC(2025, 11, 28));
    const now = new Date(Date.UTC(2026, 0, 1));
    const features = buildFeatures(specs, table.records, 'csv', now);
    expect([...featurizeRecords([{ 'Last Activity Date': 'Dec 19, 2025' }, { 'Last Activity Date': '19-Dec-2025' }], features, 'csv', now, 0)]).toEqual([13, 13]);
  });

  it('drops a column of dates with two-digit years with a note, rather than learn each day as a category', () => {
    const excel = (ms: number) => `${new Date(ms).getUTCMonth() + 1}/${new Date(ms).getUTCDate()}/${String(new Date(ms).getUTCFullYear()).slice(2)}`;
    for (const [n, cell] of [[300, (i: number) => excel(december(i))], [60, (i: number) => `${(i % 28) + 1}-Dec-25`]] as const) {
      const { specs, warnings } = inferFeatureSpecs(tableOf(n, { 'Last Activity Date': cell, converted }), 'converted', []);
      expect(specs).toEqual([]);
      expect(warnings).toEqual([
        `Column "Last Activity Date" is not read as dates: ${n} of its ${n} values write the year in two digits, such as "${cell(0)}", "${cell(1)}", "${cell(2)}", ` +
          `and LeadLens does not guess its century. It is dropped rather than read as categories, a day each. ${advice}`,
      ]);
    }
  });

  it('reads a column of epoch milliseconds, as HubSpot exports dates, as days since, unless named as an identifier', () => {
    const table = tableOf(300, { 'Recent Conversion Date': (i) => String(december(i) + (i % 24) * 3_600_000), 'Record ID': (i) => String(december(0) + i), converted });
    const { specs, warnings, latestDate } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.derive.kind])).toEqual([['Days since Recent Conversion Date', 'daysSince']]);
    expect(warnings).toEqual(['Column "Record ID" is named as an identifier and every row has its own whole number (300 distinct in 300 rows): dropped.']);
    expect(latestDate).toBe(december(27) + 23 * 3_600_000);
  });

  it('reads 12 or 13 digits as epoch milliseconds only in a column named as dates or moments: a phone number with its country code is no date', () => {
    const table = tableOf(300, { 'Time of Last Session': (i) => String(december(i)), WhatsApp: (i) => String(919_800_000_000 + i * 7_919), converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.derive.kind])).toEqual([
      ['Days since Time of Last Session', 'daysSince'],
      ['WhatsApp', 'value'],
    ]);
    expect(warnings.join(' ')).toContain('"WhatsApp"');
  });

  it("drops a column named as a date that holds a spreadsheet's date serial numbers, with a note; keeps such numbers as numbers under another name", () => {
    const serial = (i: number) => String(45993 + (i % 28)); // 2025-12-01 …
    const table = tableOf(300, { 'Last Activity Date': serial, Created: serial, Visits: serial, converted });
    const { specs, warnings } = inferFeatureSpecs(table, 'converted', []);
    expect(specs.map((spec) => [spec.label, spec.type])).toEqual([['Visits', 'numeric']]);
    expect(warnings).toEqual(
      ['Last Activity Date', 'Created'].map(
        (column) =>
          `Column "${column}" is named as a date and holds whole numbers such as "45993", "45994", "45995". ` +
          `A spreadsheet writes dates as numbers like 45000 when their column is not formatted as dates. It is dropped rather than read as numbers. ${advice}`,
      ),
    );
  });
});

describe('featurizeAndPrune: a categorical column of rare values only', () => {
  const now = new Date(0);
  const spec = (column: string, type: FeatureSpec['type']): FeatureSpec => ({ key: column, label: column, type, derive: { kind: 'value', from: { csv: column } }, missingValues: [], actionable: false });
  /** Prunes a numeric column "score" and the table's second column, read as categories. */
  const prune = (table: Table) => {
    const warnings: string[] = [];
    const specs = [spec('score', 'numeric'), spec(table.columns[1], 'categorical')];
    const { features } = featurizeAndPrune(buildFeatures(specs, table.records, 'csv', now), table.records, 'csv', now, warnings);
    return { kept: features.map((feature) => feature.label), warnings };
  };

  it('says every value is rarer than the pooling count, not that every row has the same value', () => {
    const { kept, warnings } = prune(tableOf(200, { score: (i) => String(i % 37), company: (i) => `lvl${i % 100}`, converted: (i) => String(i % 2) }));
    expect(kept).toEqual(['score']);
    expect(warnings).toEqual([
      '"company" has 100 distinct values, each in fewer than 10 rows: all are pooled as one level, "(other)", which tells no lead from another: dropped.',
    ]);
  });

  it('still says the same value is in every row when it is', () => {
    const { kept, warnings } = prune(tableOf(200, { score: (i) => String(i % 37), plan: () => 'pro', converted: (i) => String(i % 2) }));
    expect(kept).toEqual(['score']);
    expect(warnings).toEqual(['"plan" has the same value in every row: dropped.']);
  });
});

describe('featurizeAndPrune: a field of amounts in more than one currency', () => {
  // A multi-currency Salesforce org's report: each lead's amount in its own currency.
  const currencies = ['USD', 'JPY', 'EUR'];
  const table = tableOf(60, { revenue: (i) => `${currencies[i % 3]} ${(1000 * (i + 1)).toLocaleString('en-US')}.00`, employees: (i) => String(10 + (i % 7)) });
  const now = new Date('2026-11-01T00:00:00Z');
  const spec = (derive: FeatureSpec['derive']) => FeatureSpecSchema.parse({ key: 'annual_revenue', label: 'Annual revenue', type: 'numeric', derive });
  const revenue = spec({ kind: 'value', from: { csv: 'revenue', salesforce: 'AnnualRevenue' } });
  const perEmployee = spec({ kind: 'ratio', numerator: { csv: 'revenue' }, denominator: { csv: 'employees' } });
  const employees = FeatureSpecSchema.parse({ key: 'employees', label: 'Employees', type: 'numeric', derive: { kind: 'value', from: { csv: 'employees' } } });
  const mixed =
    'Column "revenue" holds amounts in 3 currencies (USD in 20 rows, JPY in 20 and EUR in 20): read as numbers, an amount in one would count as the same amount in another, ' +
    `so the column is left out of training. Use a column with every amount converted to one currency instead, such as a Salesforce report's converted amount ("revenue (converted)").`;

  it('drops a feature reading it as numbers, a catalogue feature or a ratio, rather than read ¥74,693,100 as $74,693,100', () => {
    for (const feature of [revenue, perEmployee]) {
      const warnings: string[] = [];
      const { features } = featurizeAndPrune(buildFeatures([feature, employees], table.records, 'csv', now), table.records, 'csv', now, warnings);
      expect(features.map(({ key }) => key)).toEqual(['employees']);
      expect(warnings).toEqual([mixed]);
    }
    // Inferred from the file, it is no feature either, said once.
    const inferred = inferFeatureSpecs(table, 'converted', []);
    expect(inferred.specs.map(({ key }) => key)).toEqual(['employees']);
    expect(inferred.warnings).toEqual([mixed]);
  });

  it('keeps amounts in one currency, its code in any case, beside plain numbers, and a CRM’s amounts, which its API hands on as numbers in one', () => {
    const dollars = table.records.map((record, i) => ({ ...record, revenue: ['USD 1,200.00', 'usd 5000', '7000', '1.2M USD'][i % 4] }));
    const crm = table.records.map((record, i) => ({ AnnualRevenue: 1000 * (i + 1), employees: record.employees }));
    for (const [records, source] of [[dollars, 'csv'], [crm, 'salesforce']] as const) {
      const warnings: string[] = [];
      const { features } = featurizeAndPrune(buildFeatures([revenue], [...records], source, now), [...records], source, now, warnings);
      expect(features.map(({ key }) => key)).toEqual(['annual_revenue']);
      expect(warnings).toEqual([]);
    }
  });
});

describe("buildFeatures keeps the page labels of the levels the model learns", () => {
  it("drops labels of values pooled as '(other)' or never seen, and a CRM's labels when none is left", () => {
    const table = tableOf(40, { hs_analytics_source: (i) => (i < 35 ? 'SOCIAL_MEDIA' : 'PAID_SOCIAL') });
    const spec = {
      key: 'lead_source', label: 'Lead source', type: 'categorical' as const, missingValues: [], actionable: false,
      derive: {
        kind: 'value' as const,
        from: { hubspot: 'hs_analytics_source', salesforce: 'LeadSource' },
        optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social', PAID_SOCIAL: 'Paid Social', OFFLINE: 'Offline Sources' }, salesforce: { Web: 'Website' } },
      },
    };
    const [feature] = buildFeatures([spec], table.records, 'hubspot', new Date('2026-11-01T00:00:00Z'));
    expect(feature.vocabulary).toEqual(['SOCIAL_MEDIA', '(other)']);
    expect(feature.derive).toEqual({ kind: 'value', from: spec.derive.from, optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } });
  });
});

describe('keyOf: a key names its column, in any script', () => {
  const keysOf = (names: string[]) => {
    const taken = new Set<string>();
    return names.map((name) => keyOf(name, taken));
  };

  it('gives ASCII names the keys they always had (stored models and their retraining keep theirs)', () => {
    const names = ['Lead Source', 'lead_source', 'LeadSource', 'Annual Revenue ($)', '# of Employees', '2024 Revenue', '123', '_private_', '__proto__', 'constructor'];
    names.push('  spaced  out  ', 'Email__c', 'hs_analytics_num_visits', 'A-B/C.D', '%', '', '---', 'Days since Created', 'x', 'X', 'lead-source', 'f_1', '1', 'feature', '!');
    expect(keysOf(names)).toEqual([
      ...['lead_source', 'lead_source_2', 'leadsource', 'annual_revenue', 'of_employees', 'f_2024_revenue', 'f_123', 'private', 'proto', 'constructor'],
      ...['spaced_out', 'email_c', 'hs_analytics_num_visits', 'a_b_c_d', 'feature', 'feature_2', 'feature_3', 'days_since_created', 'x', 'x_2', 'lead_source_3'],
      ...['f_1', 'f_1_2', 'feature_4', 'feature_5'],
    ]);
    // Every ASCII name, against the ASCII-only rule keys were made by before: its letters and digits, lower-cased.
    const asciiRule = (name: string) => {
      const k = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
      const key = /^[a-z]/.test(k) ? k : `f_${k}`;
      return key === 'f_' ? 'feature' : key;
    };
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    const rand = mulberry32(2026);
    const asciiNames = [...ascii, ...Array.from({ length: 5000 }, () => Array.from({ length: Math.floor(rand() * 12) }, () => ascii[Math.floor(rand() * 128)]).join(''))];
    for (const name of asciiNames) expect(keyOf(name, new Set()), JSON.stringify(name)).toBe(asciiRule(name));
  });

  it('keeps letters (with their accents and vowel signs) and digits of any script, lower-cased, each key once', () => {
    const names = ['会社名', '業種', '売上', '売上高', '売上 (USD)', 'Выручка', 'الإيرادات', 'बिक्री', 'Größe', 'ÀB', '2024年売上', '売上'];
    const keys = keysOf(names);
    expect(keys).toEqual(['会社名', '業種', '売上', '売上高', '売上_usd', 'выручка', 'الإيرادات', 'बिक्री', 'größe', 'àb', 'f_2024年売上', '売上_2']);
    // the manifest takes them, as it takes every ASCII key
    for (const key of keys) expect(FeatureSpecSchema.safeParse({ key, label: key, type: 'numeric', derive: { kind: 'value', from: { csv: key } } }).success, key).toBe(true);
  });

  it('does not let an earlier model\'s feature find an unrelated field by a placeholder key (業種 as `feature`) in the next training', () => {
    const converted = (i: number) => String(i % 3 === 0 ? 1 : 0);
    const withOutcome = (cells: Record<string, (i: number) => string>) => tableOf(60, { ...cells, [OUTCOME_COLUMN]: converted });
    const industry = (i: number) => ['製造', '小売', 'IT'][i % 3];
    const amount = (i: number) => String((i * 37) % 101);
    const date = (i: number) => `2025-0${1 + (i % 9)}-1${i % 10}`;
    // The first model, trained on a file in Japanese: 業種 (industry), 売上 (revenue), 作成日 (created).
    const earlier = inferFeatureSpecs(withOutcome({ 業種: industry, 売上: amount, 作成日: date }), OUTCOME_COLUMN, []).specs;
    // The next file's fields share no name with them: none is the earlier features', which LeadLens ticks.
    const next = withOutcome({ Feature: industry, 'Feature 2': amount, 'Days since': amount, 売上高: amount });
    const { candidates } = candidateFeatures(earlier, next, 'csv', []);
    expect(candidates.map(({ spec, origin }) => [spec.label, origin])).toEqual([
      ['Feature', 'inferred'],
      ['Feature 2', 'inferred'],
      ['Days since', 'inferred'],
      ['売上高', 'inferred'],
    ]);
    // and a new field takes no key an earlier feature had for another field (売上高 is not 売上)
    const earlierKeys = new Set(earlier.map((spec) => spec.key));
    expect(candidates.filter(({ spec }) => earlierKeys.has(spec.key))).toEqual([]);
  });
});
