import { describe, expect, it } from 'vitest';
import { CsvEventSchema, CsvRequestSchema } from './worker-protocol';

describe('the CSV mapping in worker messages', () => {
  const file = new File(['id,Lead Owner,Lead Source\n'], 'leads.csv');
  const before = { idColumn: 'id', nameColumn: null, createdColumn: null, outcome: null };

  it('keeps the owner and lead source columns, both ways', () => {
    const mapping = { ...before, ownerColumn: 'Lead Owner', leadSourceColumn: 'Lead Source' };
    expect(CsvRequestSchema.parse({ type: 'import', file, mapping })).toMatchObject({ mapping });
    const preview = { type: 'preview', columns: ['id', 'Lead Owner', 'Lead Source'], outcomeValues: {}, suggestion: mapping, warnings: [], missingCells: { id: 0, 'Lead Owner': 0, 'Lead Source': 0 }, storedImport: { leads: 0, outcome: null } };
    expect(CsvEventSchema.parse(preview)).toEqual(preview);
  });

  it('reads a mapping written before they were offered: no owner or lead source column', () => {
    expect(CsvRequestSchema.parse({ type: 'import', file, mapping: before })).toMatchObject({ mapping: before });
  });
});
