import { describe, expect, it } from 'vitest';
import { describeDataSize } from './data-size';

describe('describeDataSize', () => {
  it('says plainly when there is too little to train, and what is needed', () => {
    const verdict = describeDataSize(40, 3);
    expect(verdict.level).toBe('too-little');
    expect(verdict.message).toMatch(/^40 leads, 3 conversions: too few to train on \(at least 50 leads, 10 conversions/);
  });

  it('asks for more history, or a rule counting more leads, when conversions are what is missing', () => {
    expect(describeDataSize(1500, 5).message).toMatch(
      /\. Train on more history \(.*\), or count more leads as converted: tick more values as converted, or choose an earlier lifecycle stage reached\.$/,
    );
  });

  it('asks for a narrower rule, not a wider one, when (nearly) every lead counts as converted', () => {
    const every = describeDataSize(1200, 1200);
    expect(every.level).toBe('too-little');
    expect(every.message).toBe(
      '1,200 leads, 1,200 conversions: too few to train on (at least 50 leads, 10 conversions and 10 non-conversions are needed). ' +
        'Every lead counts as converted, and a model learns from how leads that converted differ from leads that did not: ' +
        'count fewer as converted (untick values ticked as converted, or choose a later lifecycle stage reached or a field with a narrower meaning).',
    );
    const nearly = describeDataSize(1200, 1195).message;
    expect(nearly).toMatch(/Nearly every lead \(all but 5\) counts as converted.*: count fewer as converted/);
    // More history would not help the rule; widening it would make it worse.
    expect(nearly).not.toMatch(/more history|tick more values|earlier/);
    // Too few leads as well: both.
    expect(describeDataSize(30, 25).message).toMatch(/count fewer as converted \(.*\), and train on more history \(.*\)\.$/);
  });

  it('asks only for more history when the leads are too few for both minimums', () => {
    expect(describeDataSize(15, 8).message).toMatch(/needed\)\. Train on more history \([^)]*\)\.$/);
  });

  it('warns that scores will be unstable below the 120 conversions commonly asked for', () => {
    const verdict = describeDataSize(1500, 37);
    expect(verdict.level).toBe('thin');
    expect(verdict.message).toMatch(/^1,500 leads, 37 conversions: fewer conversions than the ~120 commonly asked for by CRM lead-scoring tools\. Expect unstable scores/);
  });

  it('warns about few leads even with enough conversions', () => {
    expect(describeDataSize(600, 150).message).toMatch(/fewer leads than the ~1,000/);
  });

  it('gives the minimums as a rule of thumb of lead-scoring tools, naming no CRM: the history may be a HubSpot portal’s or a file’s', () => {
    for (const [leads, conversions] of [
      [1500, 37],
      [600, 150],
    ]) {
      const { message } = describeDataSize(leads, conversions);
      expect(message).toMatch(/ commonly asked for by CRM lead-scoring tools\. /);
      expect(message).not.toMatch(/Salesforce|Einstein|HubSpot/);
    }
  });

  it('says when there is enough history', () => {
    expect(describeDataSize(5000, 497)).toEqual({ level: 'enough', message: '5,000 leads, 497 conversions: enough history for a stable model.' });
  });
});
