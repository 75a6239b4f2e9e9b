import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECORD_STALE_HOURS, recordStaleHours, setRecordStaleHours } from './record-staleness';

describe('record staleness setting', () => {
  it('defaults to a day, keeps what the admin sets, and refuses nonsense', async () => {
    expect(await recordStaleHours()).toBe(DEFAULT_RECORD_STALE_HOURS);
    await setRecordStaleHours(6);
    expect(await recordStaleHours()).toBe(6);
    await expect(setRecordStaleHours(-1)).rejects.toThrow();
    expect(await recordStaleHours()).toBe(6);
  });
});
