import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECORD_STALE_HOURS, recordStaleHours, setRecordStaleHours } from './record-staleness';

describe('record staleness setting', () => {
  it('defaults to a day, keeps what the admin sets, and refuses nonsense', async () => {
    expect(await recordStaleHours()).toBe(DEFAULT_RECORD_STALE_HOURS);
    await setRecordStaleHours(6);
    expect(await recordStaleHours()).toBe(6);
    await expect(setRecordStaleHours(-1)).rejects.toThrow('Enter a number of hours between 1 and 8,760.');
    // What the page's field allows (1 to 8,760) is what is saved: half an hour is refused too.
    await expect(setRecordStaleHours(0.5)).rejects.toThrow('Enter a number of hours between 1 and 8,760.');
    await expect(setRecordStaleHours(8761)).rejects.toThrow('between 1 and 8,760');
    expect(await recordStaleHours()).toBe(6);
  });
});
