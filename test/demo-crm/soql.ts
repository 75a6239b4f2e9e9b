/**
 * The slice of SOQL a lead sync needs, on the objects the demo org has (Lead, and User and
 * Group for owner names):
 *
 *   SELECT f1, f2 FROM Object
 *     [WHERE cond [AND cond]…]          cond: field (=|!=|<>|<|<=|>|>=) literal | field IN (literal, …)
 *     [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …]
 *     [LIMIT n]
 *
 * Literals: 'quoted', numbers, true / false / null, date-times (2026-01-01T00:00:00Z, or with
 * +01:00 / +0000) and dates (2026-01-01). Keywords and field names are case-insensitive.
 * Errors carry Salesforce's error codes.
 */
import type { SalesforceValue } from '../../lib/crm/demo-data';
import type { SalesforceFieldType } from './fields';

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

export interface SoqlField {
  name: string;
  type: SalesforceFieldType;
}

export type SoqlRow = Readonly<Record<string, SalesforceValue>>;

/** An sObject SOQL can read: its API name, fields and records. */
export interface SoqlObject {
  name: string;
  fields: readonly SoqlField[];
  rows(): readonly SoqlRow[];
}

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN';
type Literal = string | number | boolean | null;

interface Condition {
  field: SoqlField;
  operator: Operator;
  values: Literal[];
}

interface Ordering {
  field: SoqlField;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  object: SoqlObject;
  fields: SoqlField[];
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

/** `objects`: the sObjects the org has; any other is INVALID_TYPE. */
export function parseSoql(soql: string, objects: readonly SoqlObject[]): SoqlQuery {
  const tokens = new Tokens(tokenize(soql));
  tokens.expectKeyword('SELECT');
  // The selected names are checked once FROM says whose fields they are.
  const selected = [tokens.next()];
  while (tokens.acceptSymbol(',')) selected.push(tokens.next());
  tokens.expectKeyword('FROM');
  const objectName = tokens.next().text;
  const object = objects.find((o) => o.name.toLowerCase() === objectName.toLowerCase());
  if (!object) throw new SoqlError('INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
  const fields = selected.map((token) => fieldOf(object, token));

  const where: Condition[] = [];
  if (tokens.acceptKeyword('WHERE')) {
    do where.push(condition(object, tokens));
    while (tokens.acceptKeyword('AND'));
  }
  const orderBy: Ordering[] = [];
  if (tokens.acceptKeyword('ORDER')) {
    tokens.expectKeyword('BY');
    do orderBy.push(ordering(object, tokens));
    while (tokens.acceptSymbol(','));
  }
  let limit: number | null = null;
  if (tokens.acceptKeyword('LIMIT')) {
    const token = tokens.next();
    limit = Number(token.text);
    if (token.kind !== 'number' || !Number.isInteger(limit) || limit < 0) throw new SoqlError('MALFORMED_QUERY', 'LIMIT must be a non-negative integer');
  }
  if (!tokens.atEnd()) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens.describeNext()}'`);
  return { object, fields, where, orderBy, limit };
}

function fieldOf(object: SoqlObject, token: Token): SoqlField {
  const field = token.kind === 'word' ? object.fields.find((f) => f.name.toLowerCase() === token.text.toLowerCase()) : undefined;
  if (!field) throw new SoqlError('INVALID_FIELD', `No such column '${token.text}' on entity '${object.name}'.`);
  return field;
}

function condition(object: SoqlObject, tokens: Tokens): Condition {
  const field = fieldOf(object, tokens.next());
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

function ordering(object: SoqlObject, tokens: Tokens): Ordering {
  const field = fieldOf(object, tokens.next());
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
function comparable(field: SoqlField, value: Literal | SalesforceValue): number | string | boolean | null {
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

function matches(row: SoqlRow, { field, operator, values }: Condition): boolean {
  const actual = comparable(field, row[field.name] ?? null);
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

/** The matching rows of the query's object, ordered and limited, with only the selected fields. */
export function runSoql(query: SoqlQuery): SoqlRow[] {
  let matching = query.object.rows().filter((row) => query.where.every((c) => matches(row, c)));
  if (query.orderBy.length > 0) {
    const compareKeys = byOrdering(query.orderBy);
    matching = matching
      .map((row) => ({ row, key: query.orderBy.map(({ field }) => comparable(field, row[field.name] ?? null)) }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .map(({ row }) => row);
  }
  const limited = query.limit === null ? matching : matching.slice(0, query.limit);
  return limited.map((row) => Object.fromEntries(query.fields.map((f) => [f.name, row[f.name] ?? null])));
}
