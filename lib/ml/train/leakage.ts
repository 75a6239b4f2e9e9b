/**
 * Leakage check before training: columns that are only known after the outcome (a sales
 * rep's status tag, a call's duration) make a model that looks brilliant and fails on new
 * leads. Each column is judged on its own against the labels [N]; CRM fields known to be
 * written as or after a lead's outcome is known are named whatever their numbers say
 * (`knownAfterOutcome`), as are the engagement counts a CRM keeps counting after it
 * (`keepsCountingAfterOutcome`). The check catches strong cases only: a column it passes is
 * not proven to be known before the outcome.
 */
import { percentText } from '../../presentation';
import { looseKey, type SourceKind } from '../featurize';
import { stratifiedKFold } from './splits';
import { countPositives, rocAuc, type Labels } from './metrics';

export interface LeakageColumn {
  name: string;
  /** [N] numeric values, yes/no as 1/0, or categorical codes; NaN = missing. */
  values: Float32Array;
  kind: 'numeric' | 'boolean' | 'categorical';
  /** Categorical: the level each code stands for, to name it in a flag's reason. */
  levels?: readonly string[];
}

export interface LeakageFinding {
  name: string;
  /**
   * Univariate ROC-AUC. Numeric and yes/no: the value as a score, read in whichever direction
   * separates better (max(auc, 1 − auc)), missing placed at whichever end separates better.
   * Categorical: the level's conversion rate computed out of fold, so a level is never
   * scored with its own rows (missing is a level). NaN without both classes.
   */
  rocAuc: number;
  /** Share of converted leads with a value. */
  fillRatePositives: number;
  /** Share of other leads with a value. */
  fillRateNegatives: number;
  /** Set when the column looks like it was filled after conversion. */
  flag: { reason: string } | null;
}

/** A column this predictive on its own is almost never legitimate for lead scoring. */
export const LEAKY_AUC = 0.95;
/** Filled for at least this share of converted leads … */
export const LEAKY_FILL_POSITIVES = 0.9;
/** … but at most this share of the others. */
export const LEAKY_FILL_NEGATIVES = 0.3;
/**
 * And the mirror: filled for at least half of the leads that did not convert and almost none
 * of those that did (a disqualification date or reason, written when a lead is lost).
 */
export const LEAKY_FILL_LOST = 0.5;
export const LEAKY_FILL_LOST_CONVERTED = 0.05;

/**
 * Purity: a group of leads (those with the column filled, those with it empty, those at one
 * level of a category or one value of a yes/no, or a number's most common value and all its
 * others) holding at least this share of one class's leads …
 */
export const LEAKY_GROUP_SHARE = 0.05;
/**
 * … where the other class is at most this fraction as common as among all the leads: a field
 * filled for only some converted leads (a "became a customer" date) and for no other, or
 * filled for every converted lead, so that being empty means "not converted" …
 */
export const LEAKY_GROUP_OTHER_RATE = 0.05;
/**
 * … and holding fewer of the other class than chance would: at the other class's usual rate, so
 * few of it would come up less often than this (`logChanceOfAtMost`). A small group of one class
 * is often so by chance, so with none of the other class the group must be big enough to expect
 * 9.2 or more of it (e^−9.2 = 1e-4): with 1% converting, a field filled for 10 converted leads
 * and no other is flagged, for 9 not. With some of the other class the fraction above asks for
 * more (20 expected for each). Small, as a column set has hundreds of groups to judge.
 */
export const LEAKY_GROUP_CHANCE = 1e-4;
/**
 * A group of leads that did not convert, with no converted lead in it, must also be big enough
 * to expect this many converted leads: such a group is as often an honest segment (junk
 * sign-ups that leave the company empty, a bought list) as a leak, and the leak it stands for (a
 * lost reason, a field emptied at conversion) holds most of the lost leads, so is large.
 */
export const LEAKY_LOST_GROUP_MIN_EXPECTED = 20;
/** Lopsided: a group holding at least this share of the converted leads … */
export const LEAKY_GROUP_CONVERTED_SHARE = 0.5;
/**
 * … and this many times their share of the others, flagged though the others are not all but
 * absent (and, as above, fewer than chance would hold). Where few leads convert, a date written at
 * conversion and also on a few others (by mistake, or for a deal later lost) is not "almost only"
 * converted: with 2.6 % converting, filled for 100 of the 132 converted leads and 7 of the 4,868
 * others, it holds 7 others where chance would put 104, more than 5 % of them, yet 76 % of the
 * converted leads is 500 times the others' 0.14 %. In real lead data honest segments are at most
 * ~20 times as common among converted leads (a bank's earlier campaign's successes 15; X
 * Education's referrals, lead-form sign-ups, working professionals 18–20, up to 23 in samples
 * with 140 converted), each holding about a fifth of them: 40 keeps clear of such a segment
 * should it hold half the conversions, flags that date with up to 92 of the others filled, and
 * X Education's sales tag "Will revert after reading the email" (56 % of converted leads, 49
 * times the others' share).
 */
export const LEAKY_GROUP_RATIO = 40;

/**
 * A field's name with case, spaces, punctuation and Salesforce's custom-field suffix taken out,
 * so an API name, a custom field and the label a CRM export uses as its header compare equal
 * (`ConvertedDate`, `Converted_Date__c`, `Converted Date` → `converteddate`). Letters of any
 * script are kept (`looseKey`): a name in Japanese or Cyrillic is not reduced to nothing.
 */
export function bareFieldName(field: string): string {
  return looseKey(field.replace(/__c$/i, ''));
}

/**
 * CRM fields written as, or after, a lead's outcome is known, by their bare names
 * (`bareFieldName`): Salesforce Lead fields and HubSpot contact properties under their API
 * names and the labels their exports use as headers, each with why in words an admin knows:
 * flagged whatever their numbers say, since a field moved on after the outcome can look
 * harmless in one history and still give the outcome away. `onSalesforce`: the words said of a
 * Salesforce field instead, where Salesforce is named (a HubSpot property or a file's column
 * under the same name is another CRM's, or no CRM's).
 */
const AFTER_OUTCOME_FIELDS: readonly { names: RegExp; why: string; onSalesforce?: string }[] = [
  {
    names: /^(status|rating)$/,
    why: "sales reps set a lead's status and rating as they work the lead and close it, so on old leads they tell how it ended, converted or not",
    onSalesforce: 'Salesforce lead status and rating are set by sales reps as they work a lead and close it, so on old leads they tell how it ended, converted or not',
  },
  {
    names: /^leadstatus$/,
    why: 'sales reps set the lead status as they work a lead and close it, so on old leads it tells how it ended, converted or not',
  },
  {
    // X Education's Lead Quality and Lead Profile: the sales team's read of a lead once they have talked to it.
    names: /^lead(quality|profile)$/,
    why: "sales reps judge a lead's quality and profile as they talk to it and work it, so on old leads their judgement tells how it ended, converted or not",
  },
  {
    // The bank marketing data's duration, a call log's length or talk time, HubSpot's hs_call_duration; in any unit (Call Duration (s), duration_in_seconds).
    names: /^((hs)?(last)?call(duration|length)|duration(ofcall)?|lengthofcall|talktime)(in)?(s|ms|sec|secs|seconds|min|mins|minutes)?$/,
    why: "a call's length is known only once the call that decided the outcome has been made, so on old leads it tells how that call went, converted or not",
  },
  { names: /^(isconverted|converted[a-z]*)$/, why: 'the CRM fills it when a lead is converted', onSalesforce: 'Salesforce fills it when a lead is converted' },
  {
    names: /^((hs)?lastmodified(date|by|byid)?|systemmodstamp|objectlastmodifieddatetime)$/,
    why: 'the CRM moves it on whenever the lead is edited, converting it included, so on old leads it dates how they ended, converted or not',
  },
  {
    names: /^(last((notable)?activity|viewed|referenced|transfer)(date)?|(pi|pardot)lastactivity|(notes)?(lastcontacted|lastupdated|nextactivitydate)|(hs)?last(salesactivity|engagement)[a-z]*)$/,
    why: 'the CRM moves it on with each activity, view or transfer, also after a lead converted or was lost',
    onSalesforce: "the CRM moves it on with each activity, view or transfer, also after a lead converted or was lost (a converted Salesforce lead's stops at its conversion)",
  },
  {
    names: /^(numcontactednotes|numnotes|numberofsalesactivities|numberoftimescontacted)$/,
    why: 'HubSpot counts each sales activity, also after a lead converted or was lost',
  },
  {
    // Salesforce's OwnerId and its labels, HubSpot's owner and team properties and their labels.
    names: /^((lead|contact)?owner(id|name|alias|email|role)?|ownerassigneddate|hubspotowner(id|assigneddate)?|(hs)?all(owner|team|accessibleteam)ids|(hs)?useridsofallowners|hubspotteam(id)?)$/,
    why: "a lead's owner changes as the lead is worked, and a queue, or no owner at all, is left only on the leads nobody took up: on old leads it tells whether anyone worked them, so a model would learn that leads waiting in a queue never convert, and score every new one cold",
  },
  {
    names: /^(lifecyclestage|hsleadstatus)$/,
    why: 'HubSpot lifecycle stage and lead status move with the sales process, so on old contacts they tell where it ended, converted or not',
  },
  {
    // A custom stage's properties carry its internal id, digits: hs_v2_date_entered_1043568283.
    names: /^(hslifecyclestage[a-z0-9]+date|becamean?[a-z]+date|(hs(v2)?)?(date(entered|exited)|cumulativetimein|latesttimein)[a-z0-9]+|hstimein[a-z0-9]+|(hs)?timetomovefrom[a-z0-9]+|hslatest(open|qualified|disqualified)leaddate)$/,
    why: 'HubSpot writes it as a contact moves through the lifecycle stages, the stage it converted to included',
  },
  {
    names: /^(num(berof)?associateddeals|recentdeal[a-z]+|totalrevenue|daystoclose|firstdealcreateddate|closedate|(hs)?timebetweencontactcreationanddeal[a-z]+)$/,
    why: "HubSpot takes it from the contact's deals, which exist once a lead has converted",
  },
  {
    names: /^hs(feedback[a-z]+|(first|recent)closedorder[a-z]+|firstorderclosed[a-z]+|(first|latest)subscription[a-z]+|hasactivesubscription)$/,
    why: 'HubSpot takes it from orders, subscriptions or feedback surveys, which a contact has once it converted',
  },
  {
    // The latest visit, e-mail, meeting, form, sequence: HubSpot's `hs_…last…` and `hs_…latest…` dates, the others by name, and their labels.
    names:
      /^(hs[a-z]*(last|latest)[a-z]*(date|timestamp|opened|clicked|replied|revisited|activity)|hssociallastengagement|recentconversiondate|engagementslastmeetingbooked|timelastseen|timeoflastsession|lastmarketingemail[a-z]+date|recentsalesemail[a-z]+date|dateoflastmeetingbooked[a-z]*|latestmeetingactivity|latesttrafficsourcedate|mostrecentsocialclick|recentdocumentrevisitdate|lastsequence[a-z]+date|lastsmssenddate)$/,
    why: 'HubSpot moves it on with each visit, e-mail, meeting or form, also after a lead converted or was lost: customers keep visiting, opening e-mails and booking meetings',
  },
  {
    // A CRM's lead score by name only: HubSpot's, its predictive properties and their labels, Pardot's (pi__score__c), MadKudu's, a lead,
    // engagement or behaviour score (Einstein's and Marketo's Lead Score), and a bare Score in a lead list. Other scores (credit, test, a
    // vendor's fit or profile score, X Education's Asymmetrique scores) are facts about the lead when it came in: left to the data rules.
    names:
      /^(score|hubspotscore|hspredictive[a-z0-9]*|likelihoodtoclose|contactpriority|leadrating|(pi|pardot)score|madkudu[a-z0-9]*|[a-z0-9]*(lead|contact|engagement|behaviou?r)scor(e|ing)[a-z0-9]*)$/,
    why: "a lead score is worked out from the lead's data as it is today, its visits, e-mails and meetings after the outcome included, and a predictive one (HubSpot's likelihood to close, another vendor's) is learned from past outcomes: on old leads it already reflects how they ended, converted or not",
  },
];

/** Why the CRM field `field` of `source`'s leads is written as or after the outcome is known (`AFTER_OUTCOME_FIELDS`), or null. */
export function knownAfterOutcome(field: string, source: SourceKind): string | null {
  const bare = bareFieldName(field);
  const known = AFTER_OUTCOME_FIELDS.find(({ names }) => names.test(bare));
  if (!known) return null;
  const why = source === 'salesforce' ? (known.onSalesforce ?? known.why) : known.why;
  return `"${field}" is a field the CRM writes as or after the outcome is known: ${why}`;
}

/**
 * HubSpot's engagement counts and latest values (visits, page views, forms, marketing e-mails,
 * last page seen, latest traffic source, meetings, social clicks, sequences), by their bare names
 * (`bareFieldName`), under their API names and the labels its exports use as headers: fair
 * features on a new lead, but HubSpot keeps counting after the outcome, so a synced or exported
 * lead holds what happened after it converted or was lost. A generic name (page_views, web_visits)
 * is none of them: a file may hold such a count as it was when each lead came in.
 */
const ENGAGEMENT_FIELDS: readonly RegExp[] = [
  /^(hsanalytics(num|average|last)\w+|num(unique)?conversionevents|recentconversioneventname|hsemail(open|click|delivered|bounce|replied|sendssincelastengagement|lastemailname)|hslatestsource\w*|engagementslastmeetingbooked\w+|hssocial\w*clicks|hssequences\w+)$/,
  // Their labels: Number of Pageviews, Number of Sessions, Number of Form Submissions, Marketing emails opened, Last Page Seen, Latest Traffic Source….
  /^(numberof(pageviews|sessions|eventcompletions|formsubmissions|uniqueformssubmitted|sequences(actively)?enrolled)|averagepageviews|recentconversion|last(pageseen|referringsite|touchconvertingcampaign|marketingemailname)|marketingemails(opened|clicked|delivered|bounced|replied)|sendssincelastengagement|latesttrafficsource(drilldown\d)?|(campaign|medium|source)oflastbookinginmeetingstool|(facebook|linkedin|twitter|googleplus|broadcast)clicks|currentlyinsequence)$/,
];

/** Whether CRM field `field` (an API name or an export's header) is an engagement count or latest value the CRM keeps updating after the outcome. */
export function keepsCountingAfterOutcome(field: string): boolean {
  const bare = bareFieldName(field);
  return ENGAGEMENT_FIELDS.some((names) => names.test(bare));
}

const TARGET_RATE_FOLDS = 5;
const TARGET_RATE_SEED = 7;

function oriented(auc: number): number {
  return Math.max(auc, 1 - auc);
}

function numericAuc(values: Float32Array, labels: Labels): number {
  const missingAt = (end: number) => Float64Array.from(values, (v) => (Number.isNaN(v) ? end : v));
  const missingLow = oriented(rocAuc(labels, missingAt(Number.NEGATIVE_INFINITY)));
  if (!values.some(Number.isNaN)) return missingLow;
  return Math.max(missingLow, oriented(rocAuc(labels, missingAt(Number.POSITIVE_INFINITY))));
}

interface LevelCounts {
  rows: number;
  conversions: number;
}

function countByLevel(values: Float32Array, labels: Labels, rows: Int32Array): Map<number, LevelCounts> {
  // Map keys compare with SameValueZero, so NaN (missing) is one level of its own.
  const counts = new Map<number, LevelCounts>();
  rows.forEach((row) => {
    const level = counts.get(values[row]) ?? { rows: 0, conversions: 0 };
    level.rows++;
    level.conversions += labels[row];
    counts.set(values[row], level);
  });
  return counts;
}

/**
 * [N] each row's level conversion rate among the rows of the other folds; a level unseen
 * there gets those rows' overall rate.
 */
function outOfFoldLevelRate(values: Float32Array, labels: Labels): Float64Array {
  const everyRow = Int32Array.from(values, (_, i) => i);
  const total = countByLevel(values, labels, everyRow);
  const totalConversions = countPositives(labels);
  const rates = new Float64Array(values.length);
  for (const fold of stratifiedKFold(labels, Math.min(TARGET_RATE_FOLDS, values.length), TARGET_RATE_SEED)) {
    const inFold = countByLevel(values, labels, fold);
    const foldConversions = fold.reduce((sum, row) => sum + labels[row], 0);
    const prior = (totalConversions - foldConversions) / (values.length - fold.length);
    fold.forEach((row) => {
      // Both maps hold the row's level: the row itself was counted in each.
      const all = total.get(values[row])!;
      const own = inFold.get(values[row])!;
      const outside = all.rows - own.rows;
      rates[row] = outside > 0 ? (all.conversions - own.conversions) / outside : prior;
    });
  }
  return rates;
}

function fillRates(values: Float32Array, labels: Labels): { positives: number; negatives: number } {
  const filled = [0, 0];
  const rows = [0, 0];
  for (let i = 0; i < values.length; i++) {
    const label = labels[i] ? 1 : 0;
    rows[label]++;
    if (!Number.isNaN(values[i])) filled[label]++;
  }
  return { positives: filled[1] / rows[1], negatives: filled[0] / rows[0] };
}

/**
 * ln of the chance that a count expected to be `expected` comes out at most `atMost` (a whole
 * number): the Poisson tail, summed in log space so that thousands expected neither underflow
 * e^−expected nor overflow expected^atMost. The count of the other class in a group of given size
 * is binomial (hypergeometric given both classes' totals), but below its mean the Poisson tail is
 * above both (it spreads wider; for the binomial, Anderson & Samuels 1967), so the test errs
 * towards not flagging, and it depends on the expected count alone: when conversions are rare the binomial finds 3 converted leads and no
 * other past chance (0.01³), yet an honest segment that converts well (referrals) is often that
 * pure when that small.
 */
export function logChanceOfAtMost(atMost: number, expected: number): number {
  // ln(expected^k e^−expected / k!) for k = 0…atMost, each from the one before.
  const logTerms = new Float64Array(atMost + 1);
  logTerms[0] = -expected;
  for (let k = 1; k <= atMost; k++) logTerms[k] = logTerms[k - 1] + Math.log(expected) - Math.log(k);
  const largest = logTerms.reduce((max, logTerm) => Math.max(max, logTerm), Number.NEGATIVE_INFINITY);
  return largest + Math.log(logTerms.reduce((sum, logTerm) => sum + Math.exp(logTerm - largest), 0));
}

const LOG_LEAKY_GROUP_CHANCE = Math.log(LEAKY_GROUP_CHANCE);

const percent = (share: number) => percentText(Math.round(share * 100));
const count = (n: number) => n.toLocaleString('en-US');

interface Group {
  /** How the group's rows are told apart, for the reason: `filled`, `empty`, `set to "level"`, `set to 0`, …. */
  what: string;
  /** One level of a category, one value of a yes/no, a number's most common value or its others. */
  level: boolean;
  positives: number;
  negatives: number;
}

/** What a yes/no feature's 0 and 1 read as, where a rep sees them. */
const YES_NO_LEVELS = ['No', 'Yes'];

/** The value most rows of `values` are filled with (the smallest of ties), NaN when none is filled. */
function mostCommonValue(values: Float32Array): number {
  const counts = new Map<number, number>();
  let common = Number.NaN;
  let commonCount = 0;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    const n = (counts.get(value) ?? 0) + 1;
    counts.set(value, n);
    if (n > commonCount || (n === commonCount && value < common)) [common, commonCount] = [value, n];
  }
  return common;
}

/**
 * How a filled value is put in a level group, and the group's words: a category's level, a
 * yes/no's value, or for a number its most common value against all others: a number left at 0
 * for most leads and set for those that converted is judged as one left empty would be.
 */
function levelsOf(values: Float32Array, kind: LeakageColumn['kind'], levels: readonly string[] | undefined): { of: (value: number) => number; what: (level: number) => string } {
  if (kind !== 'numeric') {
    const names = kind === 'boolean' ? YES_NO_LEVELS : levels;
    return { of: (value) => value, what: (level) => `set to "${names?.[level] ?? level}"` };
  }
  const common = mostCommonValue(values);
  // Values are float32: show the number they stand for (0.1, not 0.10000000149011612).
  const shown = Number(common.toPrecision(6)).toLocaleString('en-US', { maximumSignificantDigits: 6 });
  return { of: (value) => (value === common ? 0 : 1), what: (level) => (level === 0 ? `set to ${shown}` : `set to a value other than ${shown}`) };
}

/** The groups the purity rule judges: filled rows, empty rows and each level group (`levelsOf`) the filled rows fall in, if more than one. */
function groupsOf(values: Float32Array, labels: Labels, kind: LeakageColumn['kind'], levels: readonly string[] | undefined): Group[] {
  const filled: Group = { what: 'filled', level: false, positives: 0, negatives: 0 };
  const empty: Group = { what: 'empty', level: false, positives: 0, negatives: 0 };
  const levelGroups = levelsOf(values, kind, levels);
  const byLevel = new Map<number, Group>();
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const groups = [Number.isNaN(value) ? empty : filled];
    if (!Number.isNaN(value)) {
      const key = levelGroups.of(value);
      let level = byLevel.get(key);
      if (!level) byLevel.set(key, (level = { what: levelGroups.what(key), level: true, positives: 0, negatives: 0 }));
      groups.push(level);
    }
    for (const group of groups) {
      if (labels[i]) group.positives++;
      else group.negatives++;
    }
  }
  // A column of one filled value: its level is the filled group again.
  return [filled, empty, ...(byLevel.size > 1 ? byLevel.values() : [])];
}

/**
 * The purity rule's reason for a column, or null: of the groups holding at least
 * `LEAKY_GROUP_SHARE` of one class's leads with the other class all but absent, or at least
 * `LEAKY_GROUP_CONVERTED_SHARE` of the converted leads and `LEAKY_GROUP_RATIO` times their share
 * of the others, and the other class absent beyond chance, the one holding the largest share.
 */
function purityReason(values: Float32Array, labels: Labels, kind: LeakageColumn['kind'], levels: readonly string[] | undefined): string | null {
  const positives = countPositives(labels);
  const totals = { converted: positives, lost: labels.length - positives };
  let best: { share: number; reason: string } | null = null;
  for (const group of groupsOf(values, labels, kind, levels)) {
    const rows = group.positives + group.negatives;
    // A level that hardly ever converts is as often an honest segment (a bought list, students) as
    // a leak: levels are judged on converted leads only, filled and empty on both.
    for (const converted of group.level ? [true] : [true, false]) {
      const [own, other] = converted ? [group.positives, group.negatives] : [group.negatives, group.positives];
      const [ownTotal, otherTotal] = converted ? [totals.converted, totals.lost] : [totals.lost, totals.converted];
      const share = own / ownTotal;
      const expectedOther = (rows * otherTotal) / labels.length;
      const pure = share >= LEAKY_GROUP_SHARE && other <= LEAKY_GROUP_OTHER_RATE * expectedOther;
      const lopsided = converted && share >= LEAKY_GROUP_CONVERTED_SHARE && share >= LEAKY_GROUP_RATIO * (other / otherTotal);
      if (!pure && !lopsided) continue;
      if (logChanceOfAtMost(other, expectedOther) >= LOG_LEAKY_GROUP_CHANCE) continue;
      if (!converted && expectedOther < LEAKY_LOST_GROUP_MIN_EXPECTED) continue;
      if (best && best.share >= share) continue;
      const [whose, others] = converted ? ['the converted leads', 'others'] : ['the leads that did not convert', 'converted'];
      const why = converted
        ? group.what === 'empty'
          ? 'probably cleared when a lead converts'
          : 'probably written when a lead converts'
        : group.what === 'empty'
          ? 'probably filled in when a lead converts, so being empty says it did not'
          : 'probably written when a lead is lost';
      const few = other === 0 ? 'none' : `only ${count(other)}`;
      best = { share, reason: `${group.what} for ${percent(share)} of ${whose} and for ${few} of the ${count(otherTotal)} ${others}: ${why}` };
    }
  }
  return best?.reason ?? null;
}

/** One finding per column, in the columns' order. */
export function leakageReport(columns: LeakageColumn[], labels: Labels): LeakageFinding[] {
  return columns.map(({ name, values, kind, levels }) => {
    if (values.length !== labels.length) {
      throw new Error(`column ${name} has ${values.length} rows but labels has ${labels.length}`);
    }
    let auc = Number.NaN;
    if (values.length >= 2) {
      auc = kind === 'categorical' ? rocAuc(labels, outOfFoldLevelRate(values, labels)) : numericAuc(values, labels);
    }
    const fill = fillRates(values, labels);
    const reasons: string[] = [];
    if (auc >= LEAKY_AUC) {
      reasons.push(`predicts the outcome almost perfectly by itself (ROC-AUC ${auc.toFixed(2)}): probably filled after conversion`);
    }
    if (fill.positives >= LEAKY_FILL_POSITIVES && fill.negatives <= LEAKY_FILL_NEGATIVES) {
      reasons.push(
        `filled mostly for converted leads (${percent(fill.positives)} of them, ${percent(fill.negatives)} of the others)`,
      );
    }
    if (fill.negatives >= LEAKY_FILL_LOST && fill.positives <= LEAKY_FILL_LOST_CONVERTED) {
      reasons.push(
        `filled mostly for leads that did not convert (${percent(fill.negatives)} of them, ${percent(fill.positives)} of the converted): probably written when a lead is lost`,
      );
    }
    // The purity rule widens the rules above to partial cases: said when they say nothing.
    const purity = reasons.length === 0 ? purityReason(values, labels, kind, levels) : null;
    if (purity !== null) reasons.push(purity);
    return {
      name,
      rocAuc: auc,
      fillRatePositives: fill.positives,
      fillRateNegatives: fill.negatives,
      flag: reasons.length > 0 ? { reason: reasons.join('; ') } : null,
    };
  });
}
