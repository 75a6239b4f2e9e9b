/**
 * What the amount of history means for the model, said plainly instead of refusing silently.
 * The yardstick is Salesforce Einstein Lead Scoring's requirement (1,000 leads and 120
 * conversions); below the trainer's own minimums nothing can be learned at all.
 */
import { plural } from '../../presentation';
import { MIN_NEGATIVES, MIN_POSITIVES, MIN_ROWS } from './dataset';

export const EINSTEIN_MIN_LEADS = 1000;
export const EINSTEIN_MIN_CONVERSIONS = 120;

export interface DataSizeVerdict {
  level: 'too-little' | 'thin' | 'enough';
  message: string;
}

export function describeDataSize(leads: number, conversions: number): DataSizeVerdict {
  const counts = `${plural(leads, 'lead', 'leads')}, ${plural(conversions, 'conversion', 'conversions')}`;
  if (leads < MIN_ROWS || conversions < MIN_POSITIVES || leads - conversions < MIN_NEGATIVES) {
    return {
      level: 'too-little',
      message: `${counts}: too few to train on (at least ${MIN_ROWS} leads, ${MIN_POSITIVES} conversions and ${MIN_NEGATIVES} non-conversions are needed). Train on more history (a wider window of creation dates, where one applies; more leads synced or imported) or tick more values as converted.`,
    };
  }
  if (conversions < EINSTEIN_MIN_CONVERSIONS || leads < EINSTEIN_MIN_LEADS) {
    const short =
      conversions < EINSTEIN_MIN_CONVERSIONS
        ? `fewer conversions than the ~${EINSTEIN_MIN_CONVERSIONS} Salesforce Einstein asks for`
        : `fewer leads than the ~${EINSTEIN_MIN_LEADS.toLocaleString('en-US')} Salesforce Einstein asks for`;
    return {
      level: 'thin',
      message: `${counts}: ${short}. Expect unstable scores: the accuracy a trained model reports is measured on few conversions, so it can be off by several points, and retraining may reorder leads noticeably.`,
    };
  }
  return { level: 'enough', message: `${counts}: enough history for a stable model.` };
}
