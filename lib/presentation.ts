/**
 * How scores are put into words, shared by the badge, the popover and the extension pages.
 * Pure functions: a tier is never colour alone (icon + word), probabilities read as people
 * say them.
 */
import { CRM_LABEL, type CrmKind } from './crm/types';
import type { Reason, Tier } from './messaging/protocol';
import type { SyncSummary } from './messaging/protocol-sync';
import { visibleText } from './ml/visible-text';
import type { SourceKind } from './ml/featurize';
import type { Change as PlanChange } from './ml/insights';
import type { Manifest } from './ml/manifest';
import { chanceMargin } from './ml/train/metrics';
import type { TierThresholds } from './ml/train/thresholds';

/** Fewer leads than this behind a conversion rate, and chance alone can move it by ± 18 points: too few to go by. */
export const FEW_LEADS_FOR_A_RATE = 30;

/** `text` as a sentence's start: its first letter capital ("by capacity, …" → "By capacity, …"). */
export const sentenceStart = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `1 lead`, `2,000 leads`. */
export const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * `icon` is an SVG path (24 × 24 view box), drawn rather than an emoji so it looks the same
 * on every system, fonts or not: a flame, a sun, a snowflake. `edge`: the badge's border, where
 * its `colour` stands out from a white or light grey page by less than WCAG 1.4.11's 3:1 (warm's
 * amber, 1.97:1 on white); the others' fill is their edge.
 */
export const TIER_LOOK: Record<Tier, { word: string; icon: string; colour: string; text: string; edge?: string }> = {
  hot: {
    word: 'Hot',
    icon: 'M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-2 1-4 2-5 0 2 1 3 2 3 0-3-1-6 1-9z',
    colour: '#c62828',
    text: '#ffffff',
  },
  warm: {
    word: 'Warm',
    icon: 'M12 7a5 5 0 1 1 0 10 5 5 0 0 1 0-10zM11 1h2v4h-2zM11 19h2v4h-2zM1 11h4v2H1zM19 11h4v2h-4zM4.2 5.6l1.4-1.4 2.8 2.8-1.4 1.4zM15.6 17l1.4-1.4 2.8 2.8-1.4 1.4zM4.2 18.4l2.8-2.8 1.4 1.4-2.8 2.8zM15.6 7l2.8-2.8 1.4 1.4-2.8 2.8z',
    colour: '#f9a825',
    text: '#1a1a1a',
    edge: '#b26a00',
  },
  cold: {
    word: 'Cold',
    icon: 'M11 1h2v22h-2zM1.9 6.8l1-1.7 19.1 11-1 1.8zM2.9 18.9l-1-1.8L21 6.1l1 1.7zM8.5 2.5 12 6l3.5-3.5 1.1 1.1L12 8.2 7.4 3.6zM8.5 21.5 12 18l3.5 3.5 1.1-1.1L12 15.8l-4.6 4.6z',
    colour: '#1565c0',
    text: '#ffffff',
  },
};

/**
 * After an activation scored `scored` of the `stored` leads: what became of the others (a model
 * scores only leads it reads a field of; one stored by a sync while it scored gets its score from
 * that sync), as a sentence with a leading space; empty when every lead has a score.
 */
export function unscoredAfterActivation({ scored, stored }: { scored: number; stored: number }): string {
  const left = stored - scored;
  if (left <= 0) return '';
  return ` ${left.toLocaleString('en-US')} of the ${plural(stored, 'stored lead', 'stored leads')} ${left === 1 ? 'has' : 'have'} no score with it: it reads none of their fields (or a sync stored them as it scored, and scores them itself).`;
}

/** What the badge and the side panel say above the reason a lead was not scored. */
export const COULD_NOT_SCORE = 'LeadLens could not score this lead';

/**
 * What a CRM page's badges, and the side panel for its tab, say once "Purge everything" deleted
 * all LeadLens stored: scoring the page again would store its lead right back, so nothing is until it reloads.
 */
export const EVERYTHING_PURGED = 'LeadLens stopped on this page to delete everything it stored: reload the page to see scores again.';

/**
 * A model learnt from made-up demo leads in words (`learntFromMadeUpLeads`), wherever its scores
 * could be taken for ones learnt from the company's own leads: a rep's badge and side panel, an
 * admin's active model and write-back. True of LeadLens's default model and of one trained on Demo
 * mode's leads alike, which the badge cannot tell apart (`ScoredLead.modelLearntFromMadeUpLeads`).
 */
export const MADE_UP_LEADS_MODEL_WORDS = 'a model trained on made-up demo leads, not on yours';

/**
 * A number in plain decimals, with its shortest digits: 5e-7 is "0.0000005", as JavaScript would write it
 * "5e-7" (any number under 0.000001): a threshold of a $0.0001 contact and a $1,000,000,000,000 conversion is 1e-14%.
 */
function plainDecimal(figure: number): string {
  const shortest = String(figure);
  if (!shortest.includes('e')) return shortest;
  const significantDigits = shortest.split('e')[0].replace(/[-.]/g, '').length;
  return figure.toLocaleString('en-US', { useGrouping: false, maximumSignificantDigits: significantDigits });
}

/**
 * A figure in percent as the UI writes it (en-US): "5.8%", the sign right after the figure, so a
 * line never breaks between them ("5.8 %" broke to "5.8" and "%" in the narrow side panel); never
 * in exponent notation ("0.0000005%", not "5e-7%").
 */
export const percentText = (figure: number | string) => `${typeof figure === 'number' ? plainDecimal(figure) : figure}%`;

/** Decimals a probability may gain to read apart from a threshold, unless a threshold is written with more. */
const MOST_PROBABILITY_DECIMALS = 2;

/** How many decimals `percent` is written with (20 at most, as `toFixed` takes). */
function decimalsOf(percent: number): number {
  let decimals = 0;
  while (decimals < 20 && Number(percent.toFixed(decimals)) !== percent) decimals++;
  return decimals;
}

/**
 * "12% likely", "1.5%", "0.43%": a lead's probability with the digits `formatRate` gives a rate,
 * so it reads inside a range of rates it lies in ("1.1%–1.9%"). At the ends "<0.1%" and ">99%":
 * never "0%" or "100%" (a calibrated 0 is no certainty), nor digits below one in a thousand,
 * which tell a rep nothing more. A lead's, beside its tier: `formatProbabilityWithTiers`.
 */
export function formatProbability(probability: number): string {
  return probabilityInPercent(probability, []);
}

/**
 * A lead's probability as `formatProbability` writes it, in words that never contradict the tier
 * thresholds as the admin reads them (`formatThreshold`): a lead at or above a threshold reads at
 * least as much, a lead below it reads less ("warm from 0.03%": 0.029% and 0.02%, not "<0.1%"
 * both; "hot from 50%": a warm lead of 49.96% does not read "50%"). As `formatProbability`
 * writes it when that agrees (the usual case), else with the fewest more decimals that do, the
 * ends too ("<0.01%"), up to two (or one more than a threshold is written with). Past that, the
 * lead's figure at that precision, rounded toward its side of the thresholds: 49.99% for a warm
 * lead of 49.999% under "hot from 50%". Only a lead within 0.005 points below a threshold
 * written rounded reads as the threshold does: one of 50.002% below a hot threshold of 50.004%,
 * written "50%", reads "50%".
 */
export function formatProbabilityWithTiers(probability: number, tiers: TierThresholds): string {
  return probabilityInPercent(probability, [tiers.hot, tiers.warm]);
}

/** `probability` in percent, read apart from each of `thresholds` as `formatThreshold` writes them (none: as a rate, and the ends). */
function probabilityInPercent(probability: number, thresholds: readonly number[]): string {
  return leadPercentInWords(leadPercent(probability, asWritten(thresholds)));
}

/** A lead's `probability` in percent as `formatProbabilityWithTiers` reads it, beside `writtenThresholds`. */
function leadPercent(probability: number, writtenThresholds: readonly WrittenThreshold[]): { percent: number; end?: '<' | '>' } {
  return percentBesideThresholds(probability, writtenThresholds, { fewestDecimals: decimalsAsARate(probability), ends: true });
}

const leadPercentInWords = ({ percent, end }: { percent: number; end?: '<' | '>' }) => `${end ?? ''}${percentText(percent)}`;

/**
 * The decimals a lead's `probability` in percent is written with: `formatRate`'s two significant
 * digits below 10% ("1.5%", "0.43%"), whole percents from 10%. Below 0.1%, one, where it
 * reads "<0.1%"; from 10%, none to the end, where it reads ">99%" rather than a rate's "99.6%".
 */
function decimalsAsARate(probability: number): number {
  const percent = probability * 100;
  if (percent >= 10) return 0;
  if (percent < 0.1) return 1;
  return 1 - Math.floor(Math.log10(percent));
}

/**
 * Leads' probabilities in percent as `formatProbabilityWithTiers` reads them, as figures alone: with
 * at least `fewestDecimals` decimals, more where fewer would read one on the other side of a tier
 * threshold (as `formatThreshold` writes it) than its tier. For a file's number column, which a
 * spreadsheet compares with the thresholds: `decimals` is how many the figure is written with.
 * The thresholds' written form is worked out once, for every lead read with the function returned.
 */
export function percentWithTiers(tiers: TierThresholds, fewestDecimals: number): (probability: number) => { percent: number; decimals: number } {
  const written = asWritten([tiers.hot, tiers.warm]);
  return (probability) => percentBesideThresholds(probability, written, { fewestDecimals, ends: false });
}

/** A tier threshold beside its percent as `formatThreshold` writes it. */
interface WrittenThreshold {
  threshold: number;
  written: number;
}

function asWritten(thresholds: readonly number[]): WrittenThreshold[] {
  return thresholds.map((threshold) => ({ threshold, written: rateInPercent(threshold, THRESHOLD_EXTRA_DIGITS) }));
}

/**
 * `probability` in percent with the fewest decimals from `fewestDecimals` that read apart from
 * each of `writtenThresholds` as `formatThreshold` writes them; with `ends`, "<0.1%" or ">99%"
 * (`end`, beside the unit or 100 less it) where that reads apart from them too.
 */
function percentBesideThresholds(
  probability: number,
  writtenThresholds: readonly WrittenThreshold[],
  { fewestDecimals, ends }: { fewestDecimals: number; ends: boolean },
): { percent: number; decimals: number; end?: '<' | '>' } {
  const percent = probability * 100;
  // What the figure may read: at least each threshold the lead reaches, less than each it does not.
  let atLeast = -Infinity;
  let lessThan = Infinity;
  let mostDecimals = Math.max(MOST_PROBABILITY_DECIMALS, fewestDecimals);
  for (const { threshold, written } of writtenThresholds) {
    if (probability >= threshold) atLeast = Math.max(atLeast, written);
    else lessThan = Math.min(lessThan, written);
    mostDecimals = Math.max(mostDecimals, decimalsOf(written) + 1);
  }
  for (let decimals = fewestDecimals; decimals <= mostDecimals; decimals++) {
    const unit = Number((10 ** -decimals).toFixed(decimals));
    const top = Number((100 - unit).toFixed(decimals));
    // "<1%" reads anywhere from 0 up to 1%, ">99%" anywhere above 99% (and below 100%).
    if (ends && percent < unit) {
      if (atLeast <= 0 && unit <= lessThan) return { percent: unit, decimals, end: '<' };
    } else if (ends && percent > top) {
      if (top >= atLeast && lessThan >= 100) return { percent: top, decimals, end: '>' };
    } else {
      const shown = Number(percent.toFixed(decimals));
      if (shown >= atLeast && shown < lessThan) return { percent: shown, decimals };
    }
  }
  // Past that, the lead's own figure, rounded toward its side of each threshold itself and as
  // written wherever the lead is on that side of it too (0.55 × 100 is 55.00000000000001 and
  // 82.6212% is written "82.62%": a warm lead of 54.996% or 82.6197% reads below either), never
  // a figure it does not have: a threshold written rounded (50.004% as "50%") is what reads wrong.
  const scale = 10 ** mostDecimals;
  let shown = Math.round(percent * scale) / scale;
  for (const { threshold, written } of writtenThresholds) {
    if (probability < threshold) {
      const down = percentRoundedToward('down', probability, mostDecimals);
      if (shown >= threshold * 100 || (shown >= written && down < written)) shown = down;
    } else {
      const up = percentRoundedToward('up', probability, mostDecimals);
      if (shown < threshold * 100 || (shown < written && up >= written)) shown = up;
    }
  }
  return { percent: Number(shown.toFixed(mostDecimals)), decimals: mostDecimals };
}

/**
 * `probability` in percent to `decimals` decimals, rounded down or up from its own digits: not
 * from `probability * 100`, itself rounded (0.09999999999999999 × 100 is 10, which rounded down
 * stays 10, not below "10%").
 */
function percentRoundedToward(direction: 'down' | 'up', probability: number, decimals: number): number {
  const unit = 10 ** -(decimals + 2);
  // The nearest fraction to `decimals + 2` decimals, compared with the probability as it is.
  let fraction = Number(probability.toFixed(decimals + 2));
  if (direction === 'down' && fraction > probability) fraction -= unit;
  else if (direction === 'up' && fraction < probability) fraction += unit;
  return Number((fraction * 100).toFixed(decimals));
}

/** A rate in percent as `formatRate` writes it. */
function rateInPercent(rate: number, extraDigits = 0): number {
  const percent = rate * 100;
  if (percent <= 0 || percent >= 100) return Math.min(100, Math.max(0, percent));
  if (percent >= 10) {
    // Only exactly all reads "100%": 99.6% reads so, not rounded up to all.
    let digits = extraDigits;
    while (digits < 10 && Number(percent.toFixed(digits)) >= 100) digits++;
    return Number(percent.toFixed(digits));
  }
  return Number(percent.toPrecision(2 + extraDigits));
}

/**
 * A rate as an admin reads it: "2.5%", "0.8%", "0.03%" below 10% (two significant digits:
 * with 1% conversion, whole percents round every tier to "<1%"), whole percents above, exactly
 * "0%" and "100%" at the ends. A tier threshold: `formatThreshold`.
 */
export function formatRate(rate: number, extraDigits = 0): string {
  return percentText(rateInPercent(rate, extraDigits));
}

/**
 * Digits a tier threshold is written with beyond a rate's: a policy's threshold is rarely round
 * (cost ÷ revenue, a capacity cut), and "warm from 10%" for 10.32% would read against a cold
 * lead of 10.1%. Two decimals from 10%, four significant digits below, fewer when exact.
 */
const THRESHOLD_EXTRA_DIGITS = 2;

/** A tier threshold as the admin reads it and a lead's likelihood is read apart from: "10.32%", "50%", "3.333%", "0.8%". */
export function formatThreshold(threshold: number): string {
  return formatRate(threshold, THRESHOLD_EXTRA_DIGITS);
}

/**
 * Each count's share of their sum, shown so the shares add up to 100% (three equal tiers read
 * 34, 33 and 33%, not 33% thrice): largest remainder, the units left after rounding down go
 * to the largest fractions, the first of a tie first. Whole percents, or one decimal for all
 * when a share is under 10%. Exactly none reads "0%", all "100%", and a share in between
 * never reads as either ("<0.1%", ">99.9%": 3 leads of 40,000 are not none).
 */
export function formatShares(counts: readonly number[]): string[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return counts.map(() => percentText(0));
  const decimals = counts.some((count) => count > 0 && count * 10 < total) ? 1 : 0;
  const units = 100 * 10 ** decimals;
  // In integers, so a share such as 29% is not 28.999… units rounded down.
  const allotted = counts.map((count) => Math.floor((count * units) / total));
  const remainder = (index: number) => (counts[index] * units) % total;
  const leftOver = units - allotted.reduce((sum, unit) => sum + unit, 0);
  const largestRemainders = counts.map((_, index) => index).sort((a, b) => remainder(b) - remainder(a));
  for (const index of largestRemainders.slice(0, leftOver)) allotted[index] += 1;
  const percent = (unitCount: number) => percentText((unitCount / 10 ** decimals).toFixed(decimals));
  return counts.map((count, index) => {
    if (count === 0) return percentText(0);
    if (count === total) return percentText(100);
    if (allotted[index] === 0) return `<${percent(1)}`;
    if (allotted[index] === units) return `>${percent(units - 1)}`;
    return percent(allotted[index]);
  });
}

/**
 * An amount of dollars. One worked out (a profit): whole dollars from $10 ("$199,900"), cents
 * below ("$0.40", a $0.40 contact is not "$0"), and two significant digits below a cent
 * ("$0.004", not "$0.00"); `signed`: a gain says "+" as a loss says "-". One the admin typed
 * (`asTyped`): every digit it has, grouped, in cents at least when it has any ("$5,000",
 * "$0.40", "$1,250.50", "$0.004"), so two figures that differ never read the same.
 */
export function formatMoney(amount: number, { asTyped = false, signed = false } = {}): string {
  const size = Math.abs(amount);
  let digits: Intl.NumberFormatOptions;
  if (asTyped) {
    const decimals = Number.isInteger(amount) ? 0 : Math.max(2, decimalsOf(amount));
    digits = { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  } else if (size >= 10) digits = { maximumFractionDigits: 0 };
  else if (size === 0 || size >= 0.01) digits = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  else digits = { maximumSignificantDigits: 2 };
  return amount.toLocaleString('en-US', { style: 'currency', currency: 'USD', ...digits, signDisplay: signed ? 'exceptZero' : 'auto' });
}

/**
 * Distinct rates that must read apart (the edges of adjacent ranges), as `formatRate` writes
 * them, with more digits for all when two would otherwise read the same.
 */
export function formatDistinctRates(rates: readonly number[]): string[] {
  let labels: string[] = [];
  for (let extraDigits = 0; extraDigits <= 4; extraDigits++) {
    labels = rates.map((rate) => formatRate(rate, extraDigits));
    if (new Set(labels).size === labels.length) break;
  }
  return labels;
}

/** "3× the average", "0.4× the average", "about average", "less than 0.1× the average". */
export function formatVersusAverage(probability: number, baseRate: number): string {
  if (baseRate <= 0) return '';
  const ratio = probability / baseRate;
  if (ratio >= 0.9 && ratio < 1.1) return 'about the average lead';
  const shown = ratio >= 10 ? Math.round(ratio).toString() : ratio.toFixed(1).replace(/\.0$/, '');
  // a ratio that rounds to 0 would read as "no chance at all"
  return shown === '0' ? 'less than 0.1× the average lead' : `${shown}× the average lead`;
}

/**
 * A lead's probability before and after a plan's changes (`before` < `after`), as the side panel
 * writes them: before word for word as the header does (`formatProbabilityWithTiers`), after on
 * its side of every threshold too. Where after would read as before ("21% → 21%"), no threshold
 * lies between them, and after reads above before's figure as from a threshold midway from that
 * figure to it, with the fewest decimals that do ("21% → 21.46%" under "hot from 21.5%"). Where
 * the whole rise lies within the rounding of before's figure (10.52% to 10.99%, both "11%"), no
 * figure of after reads above it: the rise is said in points ("11% → 11% (+0.47 percentage points)").
 */
export function probabilityRiseInWords(before: number, after: number, tiers: TierThresholds): [string, string] {
  const written = asWritten([tiers.hot, tiers.warm]);
  const shownBefore = leadPercent(before, written);
  const inWords: [string, string] = [leadPercentInWords(shownBefore), probabilityInPercent(after, [tiers.hot, tiers.warm])];
  if (inWords[0] !== inWords[1] || before >= after) return inWords;
  if (after * 100 > shownBefore.percent) {
    const midway = (shownBefore.percent / 100 + after) / 2;
    const shownAfter = leadPercent(after, [...written, { threshold: midway, written: rateInPercent(midway, THRESHOLD_EXTRA_DIGITS) }]);
    if (shownAfter.percent > shownBefore.percent) return [inWords[0], leadPercentInWords(shownAfter)];
  }
  return [inWords[0], `${inWords[0]} (+${rateInPercent(after - before)} percentage points)`];
}

/**
 * Said beside the likelihood of a lead with under half of the model's signals known (its CRM's):
 * its reasons are then mostly what is missing, and a rep could read its score as settled, or a
 * blank that "raises the odds" as worth leaving blank. Null for a lead known enough.
 */
export function fewSignalsInWords(known: number, total: number): string | null {
  if (known * 2 >= total) return null;
  return `Only ${known} of ${total} signals are known: the score is how leads with this little filled in converted, and it will move as the rest is filled in.`;
}

/** "12% likely to convert, 3× the average lead", in words that agree with the lead's tier under `tiers` (`formatProbabilityWithTiers`). */
export function describeLikelihood(probability: number, baseRate: number, tiers: TierThresholds): string {
  const versus = formatVersusAverage(probability, baseRate);
  return `${formatProbabilityWithTiers(probability, tiers)} likely to convert${versus ? `, ${versus}` : ''}`;
}

/**
 * How much a reason moves the odds, in words: from ×2.7 "strongly", from ×1.5 "moderately". Read
 * off the factor as shown (`oddsFactor`, rounded), so two reasons shown "×1.5" are worded alike.
 */
export function strengthOf(points: number): 'strongly' | 'moderately' | 'slightly' {
  const factor = Number(oddsFactor(points));
  if (factor >= 2.7) return 'strongly';
  if (factor >= 1.5) return 'moderately';
  return 'slightly';
}

/** Which way a reason moves the score. */
export type Direction = 'up' | 'down';

/** A reason's look: the arrow drawn beside it, so its direction is never colour alone, and its colour in charts and lists. */
export const DIRECTION_LOOK: Record<Direction, { arrow: string; colour: string }> = {
  up: { arrow: '▲', colour: '#2e7d32' },
  down: { arrow: '▼', colour: '#b3261e' },
};

/** Over the reasons each way, in the badge's popover and the side panel. */
export const REASONS_HEADING: Record<Direction, string> = { up: 'Raising the score', down: 'Lowering the score' };

export const directionOf = (points: number): Direction => (points >= 0 ? 'up' : 'down');

/**
 * One reason as the popover and the side panel word it: "**Job title**: VP Sales (strongly
 * raises the odds)". `value` is the CRM's text: show it as text, isolated (`<bdi>`), so a
 * right-to-left or direction-control character in it cannot reorder the words after it.
 */
export function reasonInWords(reason: Reason): { label: string; value: string; direction: Direction; effect: string } {
  const direction = directionOf(reason.points);
  const verb = direction === 'up' ? 'raises' : 'lowers';
  return { label: reason.label, value: reason.value, direction, effect: `${strengthOf(reason.points)} ${verb} the odds` };
}

/**
 * How many times a reason multiplies (points above 0) or divides (below) the odds of
 * converting, two significant digits: "4.5" for +1.5 points, "2" for −0.69.
 */
export function oddsFactor(points: number): string {
  return String(Number(Math.exp(Math.abs(points)).toPrecision(2)));
}

/**
 * One change of a "what would make it hotter" plan in words, as the side panel lists it and the
 * badge's popover: "Marketing e-mails opened: 4 → 12, which takes E-mail click rate from 0.25 to
 * 0.08 (odds ×1.8)". The lead's values are CRM data: each goes through `value`, which isolates it
 * (`<bdi>` on a page, `isolatedText` in plain text) so a right-to-left or direction-control
 * character in it cannot reorder the words around it.
 */
export function planChangeInWords<T>(change: PlanChange, value: (text: string) => T): (string | T)[] {
  return [
    `${change.label}: `,
    value(change.from),
    ' → ',
    value(change.to),
    ...change.alsoChanges.flatMap((follower) => [`, which takes ${follower.label} from `, value(follower.from), ' to ', value(follower.to)]),
    ` (odds ×${oddsFactor(change.calibratedPoints)})`,
  ];
}

/** Beside a plan: the fields a rep could change that it left out, as the page does not show them (`featuresNotRead`). */
export const notOnPageInWords = (labels: readonly string[]) => `Not suggested, as this page does not show them: ${labels.join(', ')}.`;

/**
 * Said first of a lead converted already (`ScoredLead.converted`), by the badge's popover and the
 * side panel: "Already converted: Lifecycle stage is Customer. The score is shown for reference."
 * The value is CRM data, isolated by `isolated` as a plan's values are (`planChangeInWords`). A
 * checkbox's as the CRMs show one: "the Converted box is checked" (Salesforce's IsConverted, a
 * HubSpot single checkbox), not "Converted is true".
 */
export function convertedInWords<T>({ field, value }: { field: string; value: string }, isolated: (text: string) => T): (string | T)[] {
  const said = value === 'true' ? [`Already converted: the ${field} box is checked`] : [`Already converted: ${field} is `, isolated(value)];
  return [...said, '. The score is shown for reference.'];
}

/**
 * Whether a plan's changes reach the tier it aims at, in the words around that tier's name, as the
 * side panel and the badge's popover say it: "These changes would make it [Hot]", or "The changes
 * that help most would not make it [Hot], only raise it"; of a plan of one change, "This change",
 * "The change that helps most".
 */
export function planOutcomeInWords(reaches: boolean, changeCount: number): { before: string; after: string } {
  const one = changeCount === 1;
  if (!reaches) return { before: `${one ? 'The change that helps' : 'The changes that help'} most would not make it `, after: ', only raise it' };
  return { before: `${one ? 'This change' : 'These changes'} would make it `, after: '' };
}

/** Text isolated in plain text (FSI … PDI), as `<bdi>` isolates it on a page. */
export const isolatedText = (text: string) => `\u2068${text}\u2069`;

/** Whether a reason moves the odds enough to be named as one (×1.05 either way). */
export const movesTheOdds = (reason: Reason) => Math.abs(reason.points) >= 0.05;

/**
 * The strongest reasons each way, as the popover and the side panel's lists name them: reasons
 * that barely move the odds are left out, and so are pairs of fields (`Reason.pair`): "Lead
 * source with Employees" lowering the odds beside "Lead source" and "Employees" each raising them
 * reads as a contradiction. The chart and its table, where the reasons add up, keep every one.
 */
export function topReasons(reasons: Reason[], count = 3): { up: Reason[]; down: Reason[] } {
  const meaningful = reasons.filter((reason) => !reason.pair && movesTheOdds(reason));
  return {
    up: meaningful.filter((r) => r.points > 0).sort((a, b) => b.points - a.points).slice(0, count),
    down: meaningful.filter((r) => r.points < 0).sort((a, b) => a.points - b.points).slice(0, count),
  };
}

/** The strongest reasons up and down in words ("Title seniority: VP Sales"), as `topReasons` picks them; "" when none matters. */
export function strongestReasons(reasons: Reason[]): { reasonUp: string; reasonDown: string } {
  const { up, down } = topReasons(reasons, 1);
  const text = (reason: Reason | undefined) => (reason ? `${reason.label}: ${reason.value}` : '');
  return { reasonUp: text(up[0]), reasonDown: text(down[0]) };
}

/** The reason that best explains the tier: a cold lead's strongest reason down, else up. */
export function topReasonFor(tier: Tier, { reasonUp, reasonDown }: { reasonUp: string; reasonDown: string }): string {
  return tier === 'cold' ? reasonDown || reasonUp : reasonUp || reasonDown;
}

/**
 * Which way a top reason moves the odds (true: raises), as the strongest reasons up and down it was
 * picked from say (`topReasonFor`); undefined when it is neither (none, or a score stored without them).
 */
export function topReasonRaises({ topReason, reasonUp, reasonDown }: { topReason: string; reasonUp?: string; reasonDown?: string }): boolean | undefined {
  if (topReason === '') return undefined;
  if (topReason === reasonUp) return true;
  if (topReason === reasonDown) return false;
  return undefined;
}

/**
 * A top reason in words where no ▲ or ▼ can show its way (a CRM field, a CSV cell), as the popover
 * words it: "Industry: Engineering (lowers the odds)". A warm lead's can be its strongest reason
 * down, and a cold lead's its strongest up, so the tier does not tell.
 */
export function topReasonWithWay(topReason: string, raises: boolean | undefined): string {
  return raises === undefined ? topReason : `${topReason} (${raises ? 'raises' : 'lowers'} the odds)`;
}

/**
 * Whose clock a day is read on: the browser's, where the rep is, for a moment (a model trained, a
 * sync); or a file's (`dayClockOf` an imported file's leads), for a file's dates: a date-time a file
 * writes without a zone (`11/29/2026 6:45 AM` in a Salesforce report, `2026-11-29 23:30` in a
 * HubSpot export) is its exporter's clock, read as if UTC (`parseDate`), so it is the day the file
 * wrote on UTC's clock, and on no other.
 */
export type DayClock = 'browser' | 'file';

/** The clock `source`'s stored dates are read on: an imported file's, the file's; a CRM's, real moments, the browser's. */
export const dayClockOf = (source: SourceKind): DayClock => (source === 'csv' ? 'file' : 'browser');

/** A model's day (`formatDay`): that of its data as its data wrote it for one dated by its data (`datedByItsData`), else the browser's. */
export const formatModelDay = (createdAt: string, datedByData: boolean | undefined): string => formatDay(createdAt, datedByData ? 'file' : 'browser');

/**
 * A day as the rep reads it (an ISO date or epoch milliseconds: a model's, a file's latest created
 * date, a write-back's), in the browser's own language, on `clock`: the browser's time zone by
 * default, the day it was there ("Dec 1, 2026" in en-US, "1 Dec 2026" in en-GB), as a model
 * trained here in the evening in Los Angeles is of that evening, not of the next day in UTC; a
 * file's (`'file'`), UTC, the day its file wrote. Midnight UTC to the millisecond is a calendar
 * day, not a moment, and reads as that day wherever the rep is: the CLI dates a model by the day
 * its data was exported (`--now 2026-11-01`, a file's latest date), and a file's date alone
 * (`2026-03-01`) is read as midnight UTC.
 */
export function formatDay(at: string | number, clock: DayClock = 'browser'): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return 'unknown date';
  const onUtcClock = clock === 'file' || isCalendarDay(at);
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', ...(onUtcClock && { timeZone: 'UTC' }) });
}

/** Whether `at` is a calendar day, not a moment (midnight UTC to the millisecond, as the CLI writes dates): `formatDay` reads it in UTC, and it has no time of day. */
export const isCalendarDay = (at: string | number): boolean => new Date(at).getTime() % 86_400_000 === 0;

/**
 * Why a sync or write-back stopped, the CRM having refused its credentials, once they were
 * reconnected: the step the refusal named (`failureInPlainWords`) is taken, and saying it again
 * would contradict CRM connections.
 */
export const refusedThenReconnected = (crm: CrmKind): string => `${CRM_LABEL[crm]} refused the credentials it had then (reconnected since)`;

/**
 * What a CRM's last sync tells of why none of its leads is stored (or, said for a sync that stored
 * some, scored), for the words of each place it is said in: it `stopped` (an error, said under
 * Sync) before it stored any, or after it stored some; or it ended, storing none, having `found-none`
 * this connection can read (an empty portal, or records the user or token may not see), which the
 * CRM's admin can fix; else it tells nothing (never synced, cancelled, running, or stored leads).
 */
export type LastSyncOutcome =
  | { kind: 'stopped'; stored: number; clause: string }
  | { kind: 'found-none'; clause: string; askAdmin: string }
  | { kind: 'tells-nothing' };

/** `LastSyncOutcome` of `sync`, its `clause` naming the sync as the place does (`syncNamed`: "the last HubSpot sync", "its last sync"). */
export function lastSyncOutcome(
  sync: Pick<SyncSummary, 'crm' | 'status' | 'endedAt' | 'lastRun' | 'stored'> | undefined,
  syncNamed: string,
): LastSyncOutcome {
  if (sync?.status === 'error') {
    const stopped = `${syncNamed} stopped${sync.endedAt === null ? '' : ` on ${formatDay(sync.endedAt)}`}`;
    const stored = sync.stored > 0 ? `with ${plural(sync.stored, 'lead', 'leads')} stored` : 'before it stored any lead';
    return { kind: 'stopped', stored: sync.stored, clause: `${stopped}, ${stored}` };
  }
  if (sync?.status === 'done' && sync.lastRun !== null && sync.stored === 0) {
    const crm = CRM_LABEL[sync.crm];
    return {
      kind: 'found-none',
      clause: `${syncNamed}, on ${formatDay(sync.lastRun.finishedAt)}, found no leads this connection can read`,
      askAdmin: `Ask your ${crm} admin to check the connection's access to your leads`,
    };
  }
  return { kind: 'tells-nothing' };
}

/** An area of a model that did not record how it was measured (models listed together, an older manifest): either way. */
const measuredOverUnknownFolds = (areaName: string) => `${areaName} averaged over the cross-validation folds, or on one holdout`;

/**
 * What the held-out ROC-AUC (`cvRocAuc`) is, and what it is measured on, as a heading an admin
 * deciding on a model can read: a ranking quality from chance to perfect. The mean of the folds'
 * figures, said so: the comparison with the active model pools the held-out leads of every fold,
 * which gives another figure. A model trained with one holdout (the CLI's `--cv 0`) was not
 * cross-validated, and its figure is of one fifth of its leads; without `folds` (models listed
 * together, an older manifest), either.
 */
export function heldOutAucHeading(metrics: Pick<Manifest['metrics'], 'folds'>): string {
  return `${RANKING_QUALITY} (${heldOutAucMeaning(metrics)})`;
}

/** The held-out ROC-AUC's name in words, a heading where its meaning is said apart (`heldOutAucMeaning`). */
export const RANKING_QUALITY = 'Ranking quality';

/** What `heldOutAucHeading` says in its brackets: what the figure is measured on, from chance to perfect. */
export function heldOutAucMeaning(metrics: Pick<Manifest['metrics'], 'folds'>): string {
  const measured =
    metrics.folds === undefined
      ? measuredOverUnknownFolds('ROC-AUC')
      : metrics.folds > 1
        ? `cross-validated ROC-AUC, averaged over ${metrics.folds} folds`
        : 'held-out ROC-AUC, one 20% holdout';
  return `${measured}; 0.5 is chance, 1 is perfect`;
}

/**
 * What a ROC or precision–recall chart draws, and the report's area of that kind: the trainer
 * draws one curve of every held-out lead pooled across the folds (lib/ml/train), while `cvRocAuc`
 * and `cvPrAuc` are the mean of each fold's own area, another figure (the bundled model's ROC-AUC:
 * 0.7916 pooled, 0.7921 the mean). Named as the mean, never as this curve's area. One holdout's
 * curve and area are of the same leads.
 */
export function heldOutCurveDescription(folds: number | undefined, areaName: 'ROC-AUC' | 'PR-AUC', area: number | undefined): string {
  const drawn = folds === undefined ? 'every held-out lead in one curve' : folds > 1 ? `every held-out lead of the ${folds} folds, pooled into one curve` : 'the leads of one 20% holdout';
  if (area === undefined) return drawn;
  const measured =
    folds === undefined ? `${measuredOverUnknownFolds(areaName)},` : folds > 1 ? `the mean of the ${folds} folds' own ${areaName}s` : `their ${areaName}`;
  return `${drawn}; ${measured} ${area.toFixed(3)}`;
}

/**
 * The precision–recall area's heading, with its chance level: unlike ROC-AUC's 0.5, a model no
 * better than chance scores about the share of leads that converted (`baseRate`).
 */
export const prAucHeading = (baseRate: number) => `Precision–recall area (${formatRate(baseRate)} of these leads converted, about what a model no better than chance scores)`;

/** A ROC-AUC's margin of chance from its standard error (`chanceMargin`). */
export const chanceNote = (standardError: number) => `(± ${chanceMargin(standardError).toFixed(3)}: what chance alone moves it by, 95% of the time)`;

/**
 * `name`, or what the lead is listed as when a rep would see no name (a HubSpot contact with
 * only a phone number): the side panel lists leads by name, and opens one by a click on it.
 * As each source calls its records (the demo's contacts are named so too).
 */
export function nameOrFallback(source: SourceKind, id: string, name: string): string {
  return visibleText(name).trim() !== '' ? name : `${source === 'hubspot' ? 'Contact' : 'Lead'} ${id}`;
}
