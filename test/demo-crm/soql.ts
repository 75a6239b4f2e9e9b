/**
 * The slice of SOQL a lead sync needs, on the Lead object:
 *
 *   SELECT f1, f2 FROM Lead
 *     [WHERE cond [AND cond]…]          cond: field (=|!=|<>|<|<=|>|>=) literal | field IN (literal, …)
 *     [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …]
 *     [LIMIT n]
 *
 * Literals: 'quoted', numbers, true / false / null, date-times (2026-01-01T00:00:00Z, or with
 * +01:00 / +0000) and dates (2026-01-01). Keywords and field names are case-insensitive.
 * Errors carry Salesforce's error codes.
 */
import type { SalesforceLead, SalesforceValue } from '../../lib/crm/demo-data';
import { salesforceField, type SalesforceField } from './fields';

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN';
type Literal = string | number | boolean | null;

interface Condition {
  field: SalesforceField;
  operator: Operator;
  values: Literal[];
}

interface Ordering {
  field: SalesforceField;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  fields: SalesforceField[];
  where: Condition[];
  orderBy: Ordering[];
  limit: number | null;
}

type Token = { kind: 'word' | 'string' | 'number' | 'datetime' | 'date' | 'symbol'; text: string };

const TOKEN = /\s*(?:'((?:\\.|[^'\\])*)'|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))|(\d{4}-\d{2}-\d{2})(?![\dT])|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|(<=|>=|!=|<>|[=<>,()]))/y;

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < soql.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(soql);
    if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected token at position ${at + 1}`);
    const [, quoted, datetime, date, number, word, symbol] = match;
    if (quoted !== undefined) tokens.push({ kind: 'string', text: quoted.replace(/\\(.)/g, '$1') });
    else if (datetime !== undefined) tokens.push({ kind: 'datetime', text: datetime });
    else if (date !== undefined) tokens.push({ kind: 'date', text: date });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word });
    else tokens.push({ kind: 'symbol', text: symbol === '<>' ? '!=' : symbol });
  }
  return tokens;
}

/** A cursor over the tokens with the few moves a recursive-descent parser needs. */
class Tokens {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  peekKeyword(...keywords: string[]): boolean {
    const token = this.tokens[this.index];
    return token?.kind === 'word' && keywords.includes(token.text.toUpperCase());
  }

  acceptKeyword(...keywords: string[]): boolean {
    if (!this.peekKeyword(...keywords)) return false;
    this.index++;
    return true;
  }

  expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) throw new SoqlError('MALFORMED_QUERY', `expecting '${keyword}', found '${this.describeNext()}'`);
  }

  acceptSymbol(symbol: string): boolean {
    const token = this.tokens[this.index];
    if (token?.kind !== 'symbol' || token.text !== symbol) return false;
    this.index++;
    return true;
  }

  next(): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query');
    return token;
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  describeNext(): string {
    return this.tokens[this.index]?.text ?? 'end of query';
  }
}

export function parseSoql(soql: string): SoqlQuery {
  const tokens = new Tokens(tokenize(soql));
  tokens.expectKeyword('SELECT');
  const fields = [fieldRef(tokens)];
  while (tokens.acceptSymbol(',')) fields.push(fieldRef(tokens));
  tokens.expectKeyword('FROM');
  const object = tokens.next().text;
  if (object.toLowerCase() !== 'lead') throw new SoqlError('INVALID_TYPE', `sObject type '${object}' is not supported.`);

  const where: Condition[] = [];
  if (tokens.acceptKeyword('WHERE')) {
    do where.push(condition(tokens));
    while (tokens.acceptKeyword('AND'));
  }
  const orderBy: Ordering[] = [];
  if (tokens.acceptKeyword('ORDER')) {
    tokens.expectKeyword('BY');
    do orderBy.push(ordering(tokens));
    while (tokens.acceptSymbol(','));
  }
  let limit: number | null = null;
  if (tokens.acceptKeyword('LIMIT')) {
    const token = tokens.next();
    limit = Number(token.text);
    if (token.kind !== 'number' || !Number.isInteger(limit) || limit < 0) throw new SoqlError('MALFORMED_QUERY', 'LIMIT must be a non-negative integer');
  }
  if (!tokens.atEnd()) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens.describeNext()}'`);
  return { fields, where, orderBy, limit };
}

function fieldRef(tokens: Tokens): SalesforceField {
  const token = tokens.next();
  const field = token.kind === 'word' ? salesforceField(token.text) : undefined;
  if (!field) throw new SoqlError('INVALID_FIELD', `No such column '${token.text}' on entity 'Lead'.`);
  return field;
}

function condition(tokens: Tokens): Condition {
  const field = fieldRef(tokens);
  if (tokens.acceptKeyword('IN')) {
    if (!tokens.acceptSymbol('(')) throw new SoqlError('MALFORMED_QUERY', "expecting '(' after IN");
    const values = [literal(tokens)];
    while (tokens.acceptSymbol(',')) values.push(literal(tokens));
    if (!tokens.acceptSymbol(')')) throw new SoqlError('MALFORMED_QUERY', "expecting ')'");
    return { field, operator: 'IN', values };
  }
  const token = tokens.next();
  if (token.kind !== 'symbol' || !['=', '!=', '<', '<=', '>', '>='].includes(token.text)) {
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${token.text}'`);
  }
  return { field, operator: token.text as Operator, values: [literal(tokens)] };
}

function literal(tokens: Tokens): Literal {
  const token = tokens.next();
  switch (token.kind) {
    case 'string':
    case 'datetime':
    case 'date':
      return token.text;
    case 'number':
      return Number(token.text);
    case 'word': {
      const word = token.text.toLowerCase();
      if (word === 'true' || word === 'false') return word === 'true';
      if (word === 'null') return null;
    }
  }
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${token.text}'`);
}

function ordering(tokens: Tokens): Ordering {
  const field = fieldRef(tokens);
  const descending = tokens.acceptKeyword('DESC');
  if (!descending) tokens.acceptKeyword('ASC');
  // Salesforce puts nulls first in ascending order, last in descending, unless told.
  let nullsLast = descending;
  if (tokens.acceptKeyword('NULLS')) {
    if (tokens.acceptKeyword('LAST')) nullsLast = true;
    else if (tokens.acceptKeyword('FIRST')) nullsLast = false;
    else throw new SoqlError('MALFORMED_QUERY', "expecting FIRST or LAST after NULLS");
  }
  return { field, descending, nullsLast };
}

// ─── Running a query ────────────────────────────────────────────────────────────────────

/** Comparable form of a value: time for dates, number for numbers, lower-case text otherwise. */
function comparable(field: SalesforceField, value: Literal | SalesforceValue): number | string | boolean | null {
  if (value === null) return null;
  if (field.type === 'datetime' || field.type === 'date') {
    const text = String(value);
    return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return field.type === 'id' || field.type === 'reference' ? value : value.toLowerCase(); // Ids are case-sensitive
}

function compare(a: number | string | boolean, b: number | string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(lead: SalesforceLead, { field, operator, values }: Condition): boolean {
  const actual = comparable(field, lead[field.name]);
  const wanted = values.map((v) => comparable(field, v));
  if (operator === 'IN') return wanted.includes(actual);
  if (operator === '=') return actual === wanted[0];
  if (operator === '!=') return actual !== wanted[0];
  if (actual === null || wanted[0] === null) return false;
  const order = compare(actual, wanted[0]);
  return operator === '<' ? order < 0 : operator === '<=' ? order <= 0 : operator === '>' ? order > 0 : order >= 0;
}

type SortKey = (number | string | boolean | null)[];

/** Compares precomputed keys (one per ORDER BY term): parsing dates inside the comparator made 100,000-lead sorts take seconds. */
function byOrdering(orderBy: Ordering[]) {
  return (a: SortKey, b: SortKey): number => {
    for (const [index, { descending, nullsLast }] of orderBy.entries()) {
      const x = a[index];
      const y = b[index];
      if (x === y) continue;
      if (x === null || y === null) return (x === null) === nullsLast ? 1 : -1;
      const order = compare(x, y);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  };
}

/** The matching leads, ordered and limited, with only the selected fields. */
export function runSoql(query: SoqlQuery, leads: readonly SalesforceLead[]): Partial<SalesforceLead>[] {
  let matching = leads.filter((lead) => query.where.every((c) => matches(lead, c)));
  if (query.orderBy.length > 0) {
    const compareKeys = byOrdering(query.orderBy);
    matching = matching
      .map((lead) => ({ lead, key: query.orderBy.map(({ field }) => comparable(field, lead[field.name])) }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .map(({ lead }) => lead);
  }
  const limited = query.limit === null ? matching : matching.slice(0, query.limit);
  return limited.map((lead) => Object.fromEntries(query.fields.map((f) => [f.name, lead[f.name]])) as Partial<SalesforceLead>);
}
