/**
 * What the amount of history means for the model, said plainly instead of refusing silently.
 * The yardstick is a common rule of thumb, the minimum CRM lead-scoring tools ask for (Salesforce
 * Einstein Lead Scoring's: 1,000 leads and 120 conversions), said without naming any CRM: the
 * history may be a HubSpot portal's or a file's, which Salesforce asks nothing of. Below the
 * trainer's own minimums nothing can be learned at all.
 */
import { plural } from '../../presentation';
import { MIN_NEGATIVES, MIN_POSITIVES, MIN_ROWS } from './dataset';

export const EINSTEIN_MIN_LEADS = 1000;
export const EINSTEIN_MIN_CONVERSIONS = 120;

export interface DataSizeVerdict {
  level: 'too-little' | 'thin' | 'enough';
  message: string;
}

const WIDER_WINDOW = 'a wider window of creation dates';
const MORE_LEADS = 'more leads synced or imported';
const MORE_HISTORY = `more history (${WIDER_WINDOW}, where one applies; ${MORE_LEADS})`;

/** What to change when the window holds no lead at all: either of its ends (the form's months and minimum age), or the history. */
export const EMPTY_WINDOW_ADVICE = `Train on more history: ${WIDER_WINDOW} (more months, or a smaller minimum age), or ${MORE_LEADS}.`;

/**
 * What would bring the history up to the trainer's minimums. Too few conversions: more history,
 * or an outcome rule that counts more leads. Too few non-conversions: the rule counts (nearly)
 * every lead, so it is narrowed; widening it would make that worse. Both short (fewer leads than
 * the two minimums together): more history alone.
 */
function adviceForTooLittle(leads: number, conversions: number): string {
  const fewConversions = conversions < MIN_POSITIVES;
  const nonConversions = leads - conversions;
  const fewNonConversions = nonConversions < MIN_NEGATIVES;
  if (fewConversions && !fewNonConversions) return `Train on ${MORE_HISTORY}, or count more leads as converted: tick more values as converted, or choose an earlier lifecycle stage reached.`;
  if (fewNonConversions && !fewConversions) {
    const who = nonConversions === 0 ? 'Every lead' : `Nearly every lead (all but ${nonConversions.toLocaleString('en-US')})`;
    const alsoMoreHistory = leads < MIN_ROWS ? `, and train on ${MORE_HISTORY}` : '';
    return `${who} counts as converted, and a model learns from how leads that converted differ from leads that did not: count fewer as converted (untick values ticked as converted, or choose a later lifecycle stage reached or a field with a narrower meaning)${alsoMoreHistory}.`;
  }
  return `Train on ${MORE_HISTORY}.`;
}

export function describeDataSize(leads: number, conversions: number): DataSizeVerdict {
  const counts = `${plural(leads, 'lead', 'leads')}, ${plural(conversions, 'conversion', 'conversions')}`;
  if (leads < MIN_ROWS || conversions < MIN_POSITIVES || leads - conversions < MIN_NEGATIVES) {
    return {
      level: 'too-little',
      message: `${counts}: too few to train on (at least ${MIN_ROWS} leads, ${MIN_POSITIVES} conversions and ${MIN_NEGATIVES} non-conversions are needed). ${adviceForTooLittle(leads, conversions)}`,
    };
  }
  if (conversions < EINSTEIN_MIN_CONVERSIONS || leads < EINSTEIN_MIN_LEADS) {
    const short =
      conversions < EINSTEIN_MIN_CONVERSIONS
        ? `fewer conversions than the ~${EINSTEIN_MIN_CONVERSIONS} commonly asked for by CRM lead-scoring tools`
        : `fewer leads than the ~${EINSTEIN_MIN_LEADS.toLocaleString('en-US')} commonly asked for by CRM lead-scoring tools`;
    return {
      level: 'thin',
      message: `${counts}: ${short}. Expect unstable scores: the accuracy a trained model reports is measured on few conversions, so it can be off by several points, and retraining may reorder leads noticeably.`,
    };
  }
  return { level: 'enough', message: `${counts}: enough history for a stable model.` };
}
