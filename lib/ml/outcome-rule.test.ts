/** A model's outcome rule records the minimum age its training window let in; the figures on stored leads count outcomes from it. */
import { describe, expect, it, vi } from 'vitest';
import { inTimeZone } from '@/test/time-zone';
import {
  datedByItsData,
  modelDateWords,
  AGES_COUNTED_TO_TODAY,
  agesCountedTo,
  describeModelOutcome,
  describeSettledLeads,
  describeOutcomeRule,
  describeWhenOutcomeCounts,
  fieldInWords,
  latestExportDate,
  MAX_RULE_VALUE_LENGTH,
  MAX_RULE_VALUES,
  MAX_VALUE_LABEL_LENGTH,
  ModelOutcomeRuleSchema,
  modelOutcomeOf,
  modelSourceName,
  OUTCOME_SETTLED_DAYS,
  outcomeOrWhyNot,
  outcomeSettled,
  ruleValueLabels,
  settledDaysOf,
  valuesAsShown,
  windowCountedFrom,
} from './outcome-rule';
import { MAX_LABEL_CHARS } from './visible-text';
import type { Manifest } from './manifest';

const DAY = 86_400_000;
const now = Date.parse('2026-11-20T00:00:00Z');
const rule = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'] };

describe('a model outcome rule', () => {
  it('keeps the minimum age it was trained with, also where the manifest reads it (strictly)', () => {
    expect(ModelOutcomeRuleSchema.strict().parse({ ...rule, settledAfterDays: 90 })).toEqual({ ...rule, settledAfterDays: 90 });
    expect(ModelOutcomeRuleSchema.parse({ ...rule, settledAfterDays: 0 }).settledAfterDays).toBe(0);
  });

  it('reads a rule stored before it recorded one as before: 30 days', () => {
    const stored = ModelOutcomeRuleSchema.strict().parse(rule);
    expect(stored).toEqual(rule);
    expect(settledDaysOf(stored)).toBe(OUTCOME_SETTLED_DAYS);
    expect(settledDaysOf(undefined)).toBe(30);
    expect(settledDaysOf({ ...rule, settledAfterDays: 90 })).toBe(90);
    expect(settledDaysOf({ ...rule, settledAfterDays: 0 })).toBe(0);
  });

  it.each([-1, 2.5, 3651, Number.NaN])('refuses %s days', (days) => {
    expect(ModelOutcomeRuleSchema.safeParse({ ...rule, settledAfterDays: days }).success).toBe(false);
  });
});

describe("a rule's fields in words, as the CRM's own pages label them", () => {
  it.each([
    ['salesforce', 'IsConverted', 'Converted'],
    ['salesforce', 'Status', 'Lead Status'],
    ['hubspot', 'lifecyclestage', 'Lifecycle stage'],
    ['hubspot', 'hs_lead_status', 'Lead status'],
  ] as const)('names %s\'s %s "%s"', (source, field, label) => {
    expect(fieldInWords(field, source)).toBe(label);
  });

  it("names a field by its name where its source is a file, another CRM's, unknown, or no standard status field", () => {
    // A file's column named like a CRM's field is whatever the file's author meant by it.
    expect(fieldInWords('Status', 'csv')).toBe('Status');
    expect(fieldInWords('IsConverted', 'csv')).toBe('IsConverted');
    expect(fieldInWords('lifecyclestage', 'salesforce')).toBe('lifecyclestage');
    expect(fieldInWords('Status', 'hubspot')).toBe('Status');
    expect(fieldInWords('IsConverted')).toBe('IsConverted');
    expect(fieldInWords('Rating', 'salesforce')).toBe('Rating');
    expect(fieldInWords('__proto__', 'hubspot')).toBe('__proto__');
    // Any other field is shown as every page shows a name: a direction override dropped.
    expect(fieldInWords('lifecycle\u202Estage', 'hubspot')).toBe('lifecyclestage');
  });

  it("describes a model's rule by those words, its outcome field and its status field; a file's columns and a rule of no known source by their names", () => {
    const salesforce = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted'] } };
    expect(describeModelOutcome(salesforce)).toBe('the lead was converted into an account and contact (still being worked while "Lead Status" is Working - Contacted), for Salesforce leads');
    const hubspot = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['customer'], openStatus: { field: 'hs_lead_status', values: ['IN_PROGRESS'] } };
    expect(describeModelOutcome(hubspot)).toBe('"Lifecycle stage" is customer (still being worked while "Lead status" is IN_PROGRESS), for HubSpot leads');
    expect(describeModelOutcome({ ...salesforce, source: 'csv' })).toBe('"IsConverted" is true (still being worked while "Status" is Working - Contacted), for imported CSV leads');
    const { source: _source, ...withoutSource } = salesforce;
    expect(describeOutcomeRule(withoutSource)).toBe('"IsConverted" is true (still being worked while "Status" is Working - Contacted)');
  });
});

describe("a model's rule in words, by the labels the CRM's pages show for its values", () => {
  const lifecycle = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['1234567', 'opportunity', 'customer', 'evangelist'], openValues: ['other'] };
  const stages = { '1234567': 'Product Qualified Lead', opportunity: 'Opportunity', customer: 'Customer', evangelist: 'Evangelist', other: 'Other' };
  const status = { source: 'salesforce' as const, field: 'IsConverted', positiveValues: ['true'], openStatus: { field: 'Status', values: ['Working - Contacted', 'Open'] } };

  it('shows each value by its label where the model recorded one, the value where not', () => {
    expect(describeModelOutcome({ ...lifecycle, valueLabels: stages })).toBe(
      '"Lifecycle stage" is Product Qualified Lead, Opportunity, Customer or Evangelist (still open while Other), for HubSpot leads',
    );
    expect(describeModelOutcome({ ...status, valueLabels: { 'Working - Contacted': 'In Bearbeitung - Kontaktiert' } })).toBe(
      'the lead was converted into an account and contact (still being worked while "Lead Status" is In Bearbeitung - Kontaktiert or Open), for Salesforce leads',
    );
  });

  it('describes a rule recorded without labels (a model of an older LeadLens) by its values, as before', () => {
    const older = ModelOutcomeRuleSchema.strict().parse(lifecycle);
    expect(older.valueLabels).toBeUndefined();
    expect(describeModelOutcome(older)).toBe('"Lifecycle stage" is 1234567, opportunity, customer or evangelist (still open while other), for HubSpot leads');
  });

  it("records the labels of the rule's own values only, where a label is not the value, from the field each is read from", () => {
    const labelsByField = {
      lifecyclestage: { ...stages, lead: 'Lead', subscriber: 'Subscriber' },
      Status: { 'Working - Contacted': 'Working', Open: 'Open', 'Closed - Converted': 'Converted' },
      IsConverted: { true: 'Yes' },
    };
    expect(ruleValueLabels(lifecycle, labelsByField)).toEqual(stages);
    // The status field's labels for its values; none of another field's, nor "Open", labelled as it is.
    expect(ruleValueLabels({ field: 'Status', positiveValues: ['Closed - Converted'] }, labelsByField)).toEqual({ 'Closed - Converted': 'Converted' });
    expect(ruleValueLabels(status, labelsByField)).toEqual({ true: 'Yes', 'Working - Contacted': 'Working' });
    expect(ruleValueLabels(status, { Status: { Open: ' Open ' } })).toBeUndefined();
    expect(ruleValueLabels(lifecycle, {})).toBeUndefined();
    // A long label is recorded as every page shows a model's labels: cut, its cut marked.
    expect(ruleValueLabels({ field: 'Status', positiveValues: ['Won'] }, { Status: { Won: 'x'.repeat(MAX_VALUE_LABEL_LENGTH + 1) } })).toEqual({ Won: `${'x'.repeat(MAX_LABEL_CHARS - 1)}…` });
  });

  it('records a label as a reader sees it: no direction or invisible controls, trimmed, none when nothing of it is visible', () => {
    const labels = ruleValueLabels(
      { field: 'lifecyclestage', positiveValues: ['1234567', 'customer', 'evangelist'] },
      { lifecyclestage: { '1234567': 'PQL\u202E\u2066', customer: '\u200B\u200B', evangelist: ' \u200BEvan\ngelist\u200F ' } },
    );
    expect(labels).toEqual({ '1234567': 'PQL', evangelist: 'Evan gelist' });
  });

  it("describes an imported model's rule without letting a label reorder the sentence or hide its value", () => {
    const hostile = {
      source: 'hubspot' as const,
      field: 'lifecycle\u202Estage',
      positiveValues: ['customer', 'evangelist'],
      openValues: ['other'],
      valueLabels: { customer: '\u202Eremotsuc', evangelist: '\u200B', other: '<img src=x onerror=alert(1)>' },
    };
    const said = describeModelOutcome(ModelOutcomeRuleSchema.strict().parse(hostile));
    expect(said).toBe('"lifecyclestage" is remotsuc or evangelist (still open while <img src=x onerror=alert(1)>), for HubSpot leads');
    // A label of any length reads cut, as a model's other labels do.
    expect(describeModelOutcome({ ...lifecycle, positiveValues: ['customer'], openValues: [], valueLabels: { customer: 'C'.repeat(MAX_VALUE_LABEL_LENGTH) } })).toBe(
      `"Lifecycle stage" is ${'C'.repeat(MAX_LABEL_CHARS - 1)}…, for HubSpot leads`,
    );
  });

  it('follows a label by its value where it reads like another of the rule\'s values, or two values share it, so no value passes for another', () => {
    // The model counts subscribers as converted: the sentence must not say customers.
    const swapped = { source: 'hubspot' as const, field: 'lifecyclestage', positiveValues: ['subscriber'], openValues: ['customer'], valueLabels: { subscriber: 'customer', customer: 'Subscriber' } };
    expect(describeModelOutcome(swapped)).toBe('"Lifecycle stage" is customer (subscriber) (still open while Subscriber (customer)), for HubSpot leads');
    const shared = { ...lifecycle, positiveValues: ['opportunity', 'customer'], openValues: ['other'], valueLabels: { opportunity: 'Customer', customer: 'Customer', other: 'Other' } };
    expect(describeModelOutcome(shared)).toBe('"Lifecycle stage" is Customer (opportunity) or Customer (customer) (still open while Other), for HubSpot leads');
    // A label like the value of another field's the rule names reads apart too; one like its own value, in another case, is just its label.
    expect(describeModelOutcome({ ...status, valueLabels: { true: 'Open' } })).toBe(
      '"Converted" is Open (true) (still being worked while "Lead Status" is Working - Contacted or Open), for Salesforce leads',
    );
    expect(valuesAsShown(['customer', 'lead'], { customer: 'Customer', lead: 'LEAD' })).toEqual(new Map([['customer', 'Customer'], ['lead', 'LEAD']]));
  });

  it('takes a value named like a prototype key as any other, and reads no label off the prototype', () => {
    const rule = { field: 'Stage', positiveValues: ['__proto__', 'constructor', 'toString'] };
    const labels = ruleValueLabels(rule, JSON.parse('{"Stage": {"__proto__": "Prototype stage"}}'));
    expect(labels && Object.entries(labels)).toEqual([['__proto__', 'Prototype stage']]);
    expect(ruleValueLabels(rule, {})).toBeUndefined();
  });

  it("parses a manifest's labels of the rule's values, refusing a label of another value or an empty one", () => {
    expect(ModelOutcomeRuleSchema.strict().parse({ ...lifecycle, valueLabels: stages }).valueLabels).toEqual(stages);
    expect(ModelOutcomeRuleSchema.safeParse({ ...lifecycle, valueLabels: { lead: 'Lead' } }).success).toBe(false);
    expect(ModelOutcomeRuleSchema.safeParse({ ...lifecycle, valueLabels: { customer: '' } }).success).toBe(false);
    expect(ModelOutcomeRuleSchema.safeParse({ ...status, valueLabels: { Open: 'x'.repeat(MAX_VALUE_LABEL_LENGTH + 1) } }).success).toBe(false);
  });
});

describe('outcomeOrWhyNot', () => {
  it('reads a spreadsheet error value in the outcome field (a lookup that found nothing) as no outcome yet, not as "not converted"', () => {
    const rule = { field: 'Won', positiveValues: ['Yes'] };
    expect(outcomeOrWhyNot({ Won: '#N/A' }, rule)).toBe('open');
    expect(outcomeOrWhyNot({ Won: 'No' }, rule)).toBe(0);
    expect(outcomeOrWhyNot({ Won: 'yes' }, rule)).toBe(1);
  });
});

describe('a rule at the caps', () => {
  it('normalises each of its values once, not once per lead it labels', () => {
    const listOf = (kind: string) => Array.from({ length: MAX_RULE_VALUES }, (_, i) => `${kind} ${i} `.padEnd(MAX_RULE_VALUE_LENGTH, 'x'));
    const rule = ModelOutcomeRuleSchema.parse({
      source: 'csv',
      field: 'Stage',
      positiveValues: listOf('Won'),
      openValues: listOf('Open'),
      openStatus: { field: 'Status', values: listOf('Working') },
    });
    const ruleValues = new Set([...rule.positiveValues, ...(rule.openValues ?? []), ...(rule.openStatus?.values ?? [])]);
    // A lead's value reads as a rule's value only as the rule compares them (case, outer spaces), so that trimming it counts as the lead's.
    const asALeadWrites = (value: string) => `  ${value.toUpperCase()}`;
    // Converted, still open, still being worked, not converted, in turn.
    const leadFields = (i: number): Record<string, string> => {
      const k = i % MAX_RULE_VALUES;
      return [
        { Stage: asALeadWrites(rule.positiveValues[k]) },
        { Stage: asALeadWrites(rule.openValues![k]) },
        { Stage: 'Lost', Status: asALeadWrites(rule.openStatus!.values[k]) },
        { Stage: 'Lost', Status: 'Closed' },
      ][i % 4];
    };
    const leads = Array.from({ length: 2_000 }, (_, i) => ({ key: `lead-${i}`, source: 'csv' as const, fields: leadFields(i) }));
    const expected = leads.map((_, i) => [1, null, null, 0][i % 4]);

    const trim = String.prototype.trim;
    const timesTrimmed = new Map<string, number>();
    const spy = vi.spyOn(String.prototype, 'trim').mockImplementation(function (this: string) {
      if (ruleValues.has(this)) timesTrimmed.set(this, (timesTrimmed.get(this) ?? 0) + 1);
      return trim.call(this);
    });
    let outcomes: (0 | 1 | null)[];
    try {
      outcomes = leads.map((lead) => modelOutcomeOf(lead, rule, () => true));
    } finally {
      spy.mockRestore();
    }

    expect(outcomes).toEqual(expected);
    expect(timesTrimmed.size).toBe(3 * MAX_RULE_VALUES);
    expect(Math.max(...timesTrimmed.values())).toBe(1);
  });
});

describe('outcomeSettled', () => {
  it('takes a lead as settled from the minimum age given, 30 days when none is', () => {
    const created = (days: number) => now - days * DAY;
    expect(outcomeSettled(created(45), now)).toBe(true);
    expect(outcomeSettled(created(29), now)).toBe(false);
    expect(outcomeSettled(created(45), now, 90)).toBe(false);
    expect(outcomeSettled(created(90), now, 90)).toBe(true);
    expect(outcomeSettled(now, now, 0)).toBe(true);
    // A lead without a created date counts, whatever the age.
    expect(outcomeSettled(Number.NaN, now, 90)).toBe(true);
  });
});

describe('latestExportDate', () => {
  it('gives the same latest date read a chunk at a time as read at once, passing over dates that cannot be the export’s', () => {
    const exported = now - 150 * DAY;
    const created = [exported - 90 * DAY, 0, exported, now + 365 * DAY, exported - 5 * DAY];
    expect(latestExportDate(created, now)).toBe(exported);
    expect(latestExportDate(created.slice(2), now, latestExportDate(created.slice(0, 2), now))).toBe(exported);
    // A chunk with no such date keeps the latest so far; none at all is -Infinity, and the file's ages count from now.
    expect(latestExportDate([0, now + 365 * DAY], now, exported)).toBe(exported);
    expect(latestExportDate([0], now)).toBe(Number.NEGATIVE_INFINITY);
    expect(windowCountedFrom('csv', [latestExportDate([0], now)], now)).toBe(now);
    expect(windowCountedFrom('csv', [latestExportDate(created, now)], now)).toBe(exported);
  });
});

describe('the words', () => {
  const today = AGES_COUNTED_TO_TODAY;

  it('say the model’s own minimum age, and that every lead counts when it has none', () => {
    expect(describeSettledLeads(90, true, today)).toBe('created 90 or more days ago, or learnt from');
    expect(describeSettledLeads(30, false, today)).toBe('created 30 or more days ago');
    expect(describeSettledLeads(0, true, today)).toBe('however new');
    expect(describeWhenOutcomeCounts(90, true, today)).toBe("a lead's outcome counts once it is 90 days old, or the model learnt from it");
    expect(describeWhenOutcomeCounts(1, false, today)).toBe("a lead's outcome counts once it is 1 day old");
    expect(describeWhenOutcomeCounts(0, true, today)).toBe("a lead's outcome counts however new it is");
  });

  it('count a file’s leads to its latest created date, written out, not to today', () =>
    inTimeZone('UTC', () => {
      const exported = Date.parse('2024-03-12T15:30:00Z');
      const file = agesCountedTo({ source: 'csv' }, exported);
      expect(describeSettledLeads(30, false, file)).toBe("created 30 or more days before Mar 12, 2024, the file's latest created date");
      expect(describeSettledLeads(90, true, file)).toBe("created 90 or more days before Mar 12, 2024, the file's latest created date, or learnt from");
      expect(describeWhenOutcomeCounts(30, true, file)).toBe("a lead's outcome counts if it was created 30 or more days before Mar 12, 2024, the file's latest created date, or the model learnt from it");
      expect(describeWhenOutcomeCounts(1, false, file)).toBe("a lead's outcome counts if it was created 1 or more days before Mar 12, 2024, the file's latest created date");
      // No minimum age: no date to count to.
      expect(describeSettledLeads(0, true, file)).toBe('however new');
      expect(describeWhenOutcomeCounts(0, false, file)).toBe("a lead's outcome counts however new it is");
      // A model without a rule reads every source's stored outcomes: a CRM's leads by today, the file's by its date.
      const mixed = agesCountedTo(undefined, exported);
      expect(describeSettledLeads(30, false, mixed)).toBe("created 30 or more days ago, an imported file's leads 30 or more days before Mar 12, 2024, the file's latest created date");
      expect(describeWhenOutcomeCounts(30, false, mixed)).toBe(
        "a lead's outcome counts once it is 30 days old, an imported file's lead's if it was created 30 or more days before Mar 12, 2024, the file's latest created date",
      );
    }));

  // A HubSpot export's `2024-03-12 23:30`, its exporter's clock read as if UTC (`parseDate`): Mar 13 in Auckland, Mar 12 on the file's clock.
  it('write a file’s latest created date as the file wrote it, wherever the browser is', async () => {
    const file = agesCountedTo({ source: 'csv' }, Date.parse('2024-03-12T23:30:00Z'));
    for (const timeZone of ['Pacific/Auckland', 'America/Los_Angeles']) {
      await inTimeZone(timeZone, () =>
        expect(describeSettledLeads(30, false, file), timeZone).toBe("created 30 or more days before Mar 12, 2024, the file's latest created date"),
      );
    }
  });

  it('name the leads with no created date among those counted, which count whatever their age', () =>
    inTimeZone('UTC', () => {
      const file = agesCountedTo({ source: 'csv' }, Date.parse('2024-03-12T15:30:00Z'));
      expect(describeSettledLeads(30, false, today, 'some')).toBe('created 30 or more days ago, or with no created date');
      expect(describeSettledLeads(90, true, file, 'some')).toBe("created 90 or more days before Mar 12, 2024, the file's latest created date, or with no created date, or learnt from");
      expect(describeSettledLeads(30, true, today, 'all')).toBe('with no created date');
      expect(describeSettledLeads(30, false, today, 'none')).toBe('created 30 or more days ago');
      expect(describeSettledLeads(0, false, today, 'all')).toBe('however new');
    }));

  it('keep today’s words for a model trained on a CRM, and when no file counts to another date', () => {
    expect(agesCountedTo({ source: 'salesforce' }, now - 150 * DAY)).toEqual(today);
    expect(agesCountedTo({ source: 'hubspot' }, now - 150 * DAY)).toEqual(today);
    expect(agesCountedTo({ source: 'csv' }, null)).toEqual(today);
    expect(agesCountedTo(undefined, null)).toEqual(today);
    expect(agesCountedTo({ source: 'csv' }, now - 150 * DAY)).toEqual({ kind: 'file', fileDate: now - 150 * DAY });
    expect(agesCountedTo(undefined, now - 150 * DAY)).toEqual({ kind: 'file and today', fileDate: now - 150 * DAY });
  });
});

describe('modelSourceName', () => {
  it('names the source an older LeadLens recorded for a model trained here as the pages name it now', () => {
    // Recorded as `${data.source} leads` (and ` demo leads`) before 0f42dd9.
    expect(['hubspot leads', 'salesforce leads', 'csv leads', 'hubspot demo leads', 'salesforce demo leads', 'csv demo leads'].map(modelSourceName)).toEqual([
      'HubSpot leads',
      'Salesforce leads',
      'imported CSV leads',
      'HubSpot demo leads',
      'Salesforce demo leads',
      'imported CSV demo leads',
    ]);
  });

  it("keeps any other source as it was recorded: a current model's, a file the CLI trained on, free text", () => {
    for (const source of ['HubSpot leads', 'demo-history.csv', '/home/ana/exports/hubspot leads.csv', 'Hubspot leads', 'hubspot leads ', 'constructor', '__proto__']) {
      expect(modelSourceName(source)).toBe(source);
    }
  });
});

describe('datedByItsData', () => {
  const at = '2026-02-28T00:00:00.000Z';
  const provenanceOf = (source: string, createdAt: string) => ({ createdAt, provenance: { source, referenceTime: at, rows: 100, positives: 10 } }) as unknown as Pick<Manifest, 'createdAt' | 'provenance'>;

  it('is a model the command line dated by its data: created at its reference time, from a file', () => {
    expect(datedByItsData(provenanceOf('history.csv', at))).toBe(true);
    expect(modelDateWords(provenanceOf('history.csv', at))).toBe('data as of Feb 28, 2026');
  });

  it("is dated on its data's clock: a file's latest date-time, written without a zone, is the day the file wrote wherever the browser is", async () => {
    // The CLI's reference time of a file whose latest date is `2026-02-28 18:30`, read as if UTC.
    const latest = '2026-02-28T18:30:00.000Z';
    const manifest = { createdAt: latest, provenance: { source: 'leads.csv', referenceTime: latest, rows: 100, positives: 10 } } as unknown as Pick<Manifest, 'createdAt' | 'provenance'>;
    for (const timeZone of ['Pacific/Auckland', 'UTC', 'America/Los_Angeles']) {
      await inTimeZone(timeZone, () => expect(modelDateWords(manifest), timeZone).toBe('data as of Feb 28, 2026'));
    }
  });

  it('is no model trained here, dated when its training ended, also one an older LeadLens dated by its reference time', () => {
    expect(datedByItsData(provenanceOf('history.csv', '2026-03-02T10:00:00.000Z'))).toBe(false);
    for (const source of ['HubSpot leads', 'imported CSV demo leads', 'hubspot leads', 'salesforce leads']) expect(datedByItsData(provenanceOf(source, at)), source).toBe(false);
    expect(modelDateWords(provenanceOf('Salesforce leads', at))).toBe('trained Feb 28, 2026');
  });
});
