import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { db } from '../db/db';
import { EXPORT_SEPARATOR_SETTING, saveExportSeparator, savedExportSeparator } from './export-separator';

describe('export separator setting', () => {
  it('is none until the admin chooses one, then keeps the choice', async () => {
    expect(await savedExportSeparator()).toBeNull();
    await saveExportSeparator(';');
    expect(await savedExportSeparator()).toBe(';');
    await saveExportSeparator(',');
    expect(await savedExportSeparator()).toBe(',');
  });

  it('reads a stored value that is no separator as none chosen', async () => {
    await db.settings.put({ key: EXPORT_SEPARATOR_SETTING, value: '\t' });
    expect(await savedExportSeparator()).toBeNull();
  });
});
