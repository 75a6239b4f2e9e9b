import { describe, expect, it } from 'vitest';
import { describeDataSize } from './data-size';

describe('describeDataSize', () => {
  it('says plainly when there is too little to train, and what is needed', () => {
    const verdict = describeDataSize(40, 3);
    expect(verdict.level).toBe('too-little');
    expect(verdict.message).toMatch(/^40 leads, 3 conversions: too few to train on \(at least 50 leads, 10 conversions/);
  });

  it('warns that scores will be unstable below Einstein’s 120 conversions', () => {
    const verdict = describeDataSize(1500, 37);
    expect(verdict.level).toBe('thin');
    expect(verdict.message).toMatch(/^1,500 leads, 37 conversions: fewer conversions than the ~120 Salesforce Einstein asks for\. Expect unstable scores/);
  });

  it('warns about few leads even with enough conversions', () => {
    expect(describeDataSize(600, 150).message).toMatch(/fewer leads than the ~1,000/);
  });

  it('says when there is enough history', () => {
    expect(describeDataSize(5000, 497)).toEqual({ level: 'enough', message: '5,000 leads, 497 conversions: enough history for a stable model.' });
  });
});
