import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DERIVED_READING_VERSION } from './derive';
import { featuresReadDifferentlyNow, FeatureSpecListSchema, ManifestSchema, MAX_AXIS_BINS, MAX_MISSING_VALUES, MAX_OPTION_LABELS, MAX_VOCABULARY_LEVELS, MODEL_ID_PATTERN, MODEL_ID_RULE, parseManifest, parseStoredTiers, readingChangedNote, type Feature } from './manifest';
import { describeModelOutcome, MAX_RULE_VALUE_LENGTH, MAX_RULE_VALUES, outcomeOf } from './outcome-rule';
import { MAX_VALUE_BINS } from './train/binning';
import { MAX_LEVELS } from './train/dataset';

const bundled = JSON.parse(readFileSync('models/manifest.json', 'utf8'));
const clone = () => structuredClone(bundled);

function errorOf(json: unknown): string {
  const parsed = parseManifest(json);
  if (parsed.ok) throw new Error('expected the manifest to be rejected');
  return parsed.error;
}

describe('manifest schema', () => {
  it('accepts the bundled manifest and the demo feature spec', () => {
    expect(parseManifest(bundled).ok).toBe(true);
    expect(FeatureSpecListSchema.safeParse(JSON.parse(readFileSync('models/demo-features.json', 'utf8'))).success).toBe(true);
  });

  it("keeps the labels a CRM's pages show a choice field's values by, within a bound, for CRMs only", () => {
    const sourceIndex = bundled.features.findIndex((feature: { key: string }) => feature.key === 'lead_source');
    const labelled = parseManifest(bundled);
    if (!labelled.ok) throw new Error(labelled.error);
    expect(labelled.manifest.features[sourceIndex].derive).toMatchObject({ optionLabels: { hubspot: { SOCIAL_MEDIA: 'Organic Social' } } });
    const tooMany = clone();
    tooMany.features[sourceIndex].derive.optionLabels.hubspot = Object.fromEntries(Array.from({ length: MAX_OPTION_LABELS + 1 }, (_, i) => [`V${i}`, `Label ${i}`]));
    expect(errorOf(tooMany)).toMatch(new RegExp(`features\\.${sourceIndex}\\.derive\\.optionLabels.*more than ${MAX_OPTION_LABELS} labels`));
    // A spec to train from may carry a CRM's whole list: the trainer keeps its learned levels' labels only.
    const { vocabulary: _vocabulary, otherCode: _otherCode, ...spec } = tooMany.features[sourceIndex];
    expect(FeatureSpecListSchema.safeParse([spec]).success).toBe(true);
    const forCsv = clone();
    forCsv.features[sourceIndex].derive.optionLabels = { csv: { a: 'A' } };
    expect(errorOf(forCsv)).toContain(`features.${sourceIndex}.derive.optionLabels`);
  });

  it('names the failing path, never the value', () => {
    const m = clone();
    m.tiers.hot = 'very-secret-value';
    const error = errorOf(m);
    expect(error).toMatch(/^The model manifest is invalid: tiers\.hot/);
    expect(error).not.toContain('very-secret-value');
  });

  it('says in plain words that JSON which is no manifest at all is not one, instead of listing every field it lacks', () => {
    const notAManifest = 'This JSON is not a LeadLens model manifest: ';
    expect(errorOf([{ key: 'lead_source' }])).toBe(`${notAManifest}it holds a list, not a manifest's fields ("schemaVersion", "modelId", "features", …).`);
    expect(errorOf('model.onnx')).toBe(`${notAManifest}it holds text, not a manifest's fields ("schemaVersion", "modelId", "features", …).`);
    expect(errorOf(null)).toBe(`${notAManifest}it holds nothing (null), not a manifest's fields ("schemaVersion", "modelId", "features", …).`);
    expect(errorOf({ name: 'leadlens', version: '1.0.0' })).toBe(`${notAManifest}it has no "schemaVersion", "modelId" or "features".`);
    expect(errorOf({ ...clone(), features: undefined, schemaVersion: undefined })).toBe(`${notAManifest}it has no "schemaVersion" or "features".`);
    const { modelId: _modelId, ...withoutId } = clone();
    expect(errorOf(withoutId)).toBe(`${notAManifest}it has no "modelId".`);
    // A manifest with all three gets the precise paths, even with them wrong.
    expect(errorOf({ ...clone(), schemaVersion: 'one', features: [] })).toMatch(/^The model manifest is invalid: schemaVersion: .*; features: /);
  });

  it.each([
    ['an unknown schema version', (m: any) => void (m.schemaVersion = 0), 'schemaVersion'],
    ['a schema version that is no whole number', (m: any) => void (m.schemaVersion = 1.5), 'schemaVersion'],
    ['a missing intercept', (m: any) => void delete m.intercept, 'intercept'],
    ['a term naming a feature that does not exist', (m: any) => void (m.terms[0].features = [999]), 'terms.0.features'],
    ['a categorical feature without vocabulary', (m: any) => void delete m.features.find((f: any) => f.type === 'categorical').vocabulary, 'vocabulary'],
    ['warm above hot', (m: any) => void Object.assign(m.tiers, { hot: 0.1, warm: 0.5 }), 'tiers.warm'],
    ['99 percentiles expected', (m: any) => void m.reference.probabilityPercentiles.pop(), 'reference.probabilityPercentiles'],
    ['an unknown field (strict)', (m: any) => void (m.extra = true), '(root)'],
    ['a feature key that is not a machine key', (m: any) => void (m.features[0].key = 'Lead Source'), 'features.0.key'],
    ['an unknown derive kind', (m: any) => void (m.features[0].derive = { kind: 'eval', from: {} }), 'features.0.derive'],
  ])('rejects %s', (_what, damage, path) => {
    const m = clone();
    damage(m);
    expect(errorOf(m)).toContain(path);
  });

  it('takes feature keys in any script (a model trained on a file in Japanese, Russian, Arabic), lower case, starting with a letter', () => {
    /** The bundled manifest with its first feature's key `key`, in its reference too. */
    const keyed = (key: string) => {
      const m = clone();
      const old = m.features[0].key;
      m.features[0].key = key;
      for (const reference of m.reference.features) {
        if (reference.key === old) reference.key = key;
        if (reference.atMost) reference.atMost = reference.atMost.map((bound: string) => (bound === old ? key : bound));
      }
      return m;
    };
    for (const key of ['売上_usd', 'выручка', 'الإيرادات', 'बिक्री', 'größe', 'f_2024年売上', 'lead_source']) expect(parseManifest(keyed(key)).ok, key).toBe(true);
    for (const key of ['Выручка', 'Lead_source', '_売上', '2024年', '売上 高', '売上-高', '']) expect(errorOf(keyed(key)), key).toContain('features.0.key');
  });

  it("refuses a Platt calibration of negative slope, which turns the model's ranking upside down; takes a slope of 0, which ranks no lead, as the trainer writes it", () => {
    const withCalibration = (calibration: unknown) => ({ ...clone(), calibration });
    expect(parseManifest(withCalibration({ kind: 'platt', a: 0, b: -2 })).ok).toBe(true);
    expect(errorOf(withCalibration({ kind: 'platt', a: -1, b: -5 }))).toBe(
      'The model manifest is invalid: calibration.a: the slope a must not be negative: a higher score must not make a lead less likely',
    );
  });

  it('checks isotonic calibration knots: one probability per knot, increasing knots, non-decreasing probabilities', () => {
    const withCalibration = (calibration: unknown) => ({ ...clone(), calibration });
    expect(parseManifest(withCalibration({ kind: 'isotonic', logits: [-1, 0, 1], probabilities: [0.1, 0.2, 0.3] })).ok).toBe(true);
    expect(errorOf(withCalibration({ kind: 'isotonic', logits: [-1, 0, 1], probabilities: [0.1, 0.2] }))).toContain('calibration');
    expect(errorOf(withCalibration({ kind: 'isotonic', logits: [0, 0], probabilities: [0.1, 0.2] }))).toContain('calibration');
    expect(errorOf(withCalibration({ kind: 'isotonic', logits: [0, 1], probabilities: [0.3, 0.2] }))).toContain('calibration');
  });

  it('refuses a model id with "|", which would reach into another model’s stored scores, and keeps older ids usable', () => {
    const withId = (modelId: unknown) => ({ ...clone(), modelId });
    // Models stored before new ids had to match MODEL_ID_PATTERN still parse (and score).
    for (const id of ['ebm-1b204c695f60ce81', 'imported-copy', 'team a', 'é']) expect(parseManifest(withId(id)).ok, id).toBe(true);
    for (const id of ['a|b', 'ebm-1|salesforce']) expect(errorOf(withId(id)), id).toContain(`modelId: ${MODEL_ID_RULE}`);
    expect(parseManifest(withId('')).ok).toBe(false);
  });

  it('tells every id it refuses the rule new ids follow, not its own looser limits', () => {
    const withId = (modelId: string) => ({ ...clone(), modelId });
    const refusal = 'The model manifest is invalid: modelId: must be 1 to 100 letters, digits, dots, dashes or underscores';
    for (const id of ['x'.repeat(20_000), '', 'a|b']) expect(errorOf(withId(id)), id.slice(0, 20)).toBe(refusal);
    // An id stored before the rule may be longer than a new one: still read.
    expect(parseManifest(withId('Acme model '.repeat(18))).ok).toBe(true);
  });

  it('lets new models have only ids safe as key prefixes and file names', () => {
    for (const id of ['ebm-1b204c695f60ce81', 'imported-copy', 'team_a.v2', 'x'.repeat(100)]) expect(MODEL_ID_PATTERN.test(id), id).toBe(true);
    for (const id of ['a|b', '', 'x'.repeat(101), 'team a', 'team/a', '../a\\b', 'é']) expect(MODEL_ID_PATTERN.test(id), id).toBe(false);
  });

  it('keeps the outcome rule of a model trained on stored leads, and parses manifests without one', () => {
    const rule = { field: 'lifecyclestage', positiveValues: ['customer', 'evangelist'], source: 'hubspot' };
    const withRule = parseManifest({ ...clone(), outcomeRule: rule });
    expect(withRule.ok && withRule.manifest.outcomeRule).toEqual(rule);
    // The bundled model, CLI-trained models and models stored before the rule was recorded have none.
    expect(bundled.outcomeRule).toBeUndefined();
    const without = parseManifest(clone());
    expect(without.ok && without.manifest.outcomeRule).toBeUndefined();
    expect(errorOf({ ...clone(), outcomeRule: { ...rule, positiveValues: [] } })).toContain('outcomeRule.positiveValues');
    // Without its source, a rule could label another source's leads by a field that means something else there.
    expect(errorOf({ ...clone(), outcomeRule: { field: 'lifecyclestage', positiveValues: ['customer'] } })).toContain('outcomeRule.source');
  });

  it("keeps the labels of the rule's values a model recorded (an imported model's too), and reads a rule without them as before", () => {
    const rule = { field: 'lifecyclestage', positiveValues: ['1234567', 'customer'], source: 'hubspot', settledAfterDays: 30 };
    const labelled = parseManifest({ ...clone(), outcomeRule: { ...rule, valueLabels: { '1234567': 'Product Qualified Lead' } } });
    if (!labelled.ok) throw new Error(labelled.error);
    expect(describeModelOutcome(labelled.manifest.outcomeRule!)).toBe('"Lifecycle stage" is Product Qualified Lead or customer, for HubSpot leads');
    const older = parseManifest({ ...clone(), outcomeRule: rule });
    if (!older.ok) throw new Error(older.error);
    expect(describeModelOutcome(older.manifest.outcomeRule!)).toBe('"Lifecycle stage" is 1234567 or customer, for HubSpot leads');
    // A label of a value the rule does not compare is no newer LeadLens's: the manifest is damaged.
    const stray = parseManifest({ ...clone(), outcomeRule: { ...rule, valueLabels: { lead: 'Lead' } } });
    expect(stray).toMatchObject({ ok: false });
    expect(stray).not.toHaveProperty('madeByNewerVersion');
    expect(errorOf({ ...clone(), outcomeRule: { ...rule, valueLabels: { lead: 'Lead' } } })).toContain('outcomeRule.valueLabels');
  });

  it("refuses a rule listing more values, or longer ones, than a model's rule may hold, naming the cap, without comparing every label with every value", () => {
    const values = Array.from({ length: 40_000 }, (_, i) => `v${i}`);
    // About 1 MB, well within what an import reads: each label was once checked against the rule's values built anew (seconds on the page).
    const many = { ...clone(), outcomeRule: { field: 'lifecyclestage', source: 'hubspot', positiveValues: values, valueLabels: Object.fromEntries(values.map((value) => [value, 'x'])) } };
    const error = errorOf(many);
    expect(error).toContain(`outcomeRule.positiveValues: a rule may list at most ${MAX_RULE_VALUES.toLocaleString('en-US')} values here`);
    const rule = { field: 'Status', source: 'csv', positiveValues: ['Won'] };
    expect(errorOf({ ...clone(), outcomeRule: { ...rule, openValues: values.slice(0, MAX_RULE_VALUES + 1) } })).toContain('outcomeRule.openValues: a rule may list at most 1,000 values');
    expect(errorOf({ ...clone(), outcomeRule: { ...rule, openStatus: { field: 'Stage', values: values.slice(0, MAX_RULE_VALUES + 1) } } })).toContain('outcomeRule.openStatus.values');
    expect(errorOf({ ...clone(), outcomeRule: { ...rule, positiveValues: ['x'.repeat(MAX_RULE_VALUE_LENGTH + 1)] } })).toContain(
      `outcomeRule.positiveValues.0: a value may be at most ${MAX_RULE_VALUE_LENGTH.toLocaleString('en-US')} characters long`,
    );
    // At the caps, labelled, a rule is read.
    const atCap = values.slice(0, MAX_RULE_VALUES).map((value) => value.padEnd(MAX_RULE_VALUE_LENGTH, 'x'));
    const full = parseManifest({ ...clone(), outcomeRule: { ...rule, positiveValues: atCap, valueLabels: Object.fromEntries(atCap.map((value) => [value, 'Label'])) } });
    expect(full.ok).toBe(true);
  });

  it('keeps the version of the derived features\' reading a model was trained with, and parses manifests from before it was recorded', () => {
    const { derivedReadingVersion: _recorded, ...older } = clone();
    const parsedOlder = parseManifest(older);
    if (!parsedOlder.ok) throw new Error(parsedOlder.error);
    expect(parsedOlder.manifest.derivedReadingVersion).toBeUndefined();
    const current = parseManifest({ ...older, derivedReadingVersion: DERIVED_READING_VERSION });
    expect(current.ok && current.manifest.derivedReadingVersion).toBe(DERIVED_READING_VERSION);
    for (const wrong of [0, 1.5, '1', null]) expect(errorOf({ ...older, derivedReadingVersion: wrong })).toContain('derivedReadingVersion');
    // Still exact about keys: a misspelt field is refused, not dropped.
    expect(errorOf({ ...older, derivedReadingVersions: DERIVED_READING_VERSION })).toMatch(/derivedReadingVersions/);
  });

  it('keeps the statuses of leads still being worked of a newer rule, and reads an older rule without them as before', () => {
    const older = { field: 'IsConverted', positiveValues: ['true'], source: 'salesforce' };
    const newer = { ...older, openStatus: { field: 'Status', values: ['Open - Not Contacted', 'Working - Contacted'] } };
    const parsedOlder = parseManifest({ ...clone(), outcomeRule: older });
    const parsedNewer = parseManifest({ ...clone(), outcomeRule: newer });
    if (!parsedOlder.ok || !parsedNewer.ok) throw new Error('expected both manifests to parse');
    expect(parsedOlder.manifest.outcomeRule).toEqual(older);
    expect(parsedNewer.manifest.outcomeRule).toEqual(newer);
    // A lead still being worked: a 0 for the model trained before, left out for the one trained after.
    const working = { IsConverted: false, Status: 'Working - Contacted' };
    expect(outcomeOf(working, parsedOlder.manifest.outcomeRule!)).toBe(0);
    expect(outcomeOf(working, parsedNewer.manifest.outcomeRule!)).toBeNull();
    expect(describeModelOutcome(parsedOlder.manifest.outcomeRule!)).toBe('the lead was converted into an account and contact, for Salesforce leads');
    expect(errorOf({ ...clone(), outcomeRule: { ...newer, openStatus: { field: 'Status', values: [] } } })).toContain('outcomeRule.openStatus.values');
    expect(errorOf({ ...clone(), outcomeRule: { ...newer, openStatus: { ...newer.openStatus, closed: ['Closed'] } } })).toContain('outcomeRule.openStatus');
  });

  it('keeps the leakage flags a model was trained with all the same, on its own features only, and parses manifests without them', () => {
    const flagged = { ...clone(), provenance: { ...bundled.provenance, leakageFlagsKept: [{ key: 'web_visits', reason: 'it keeps changing after the outcome' }] } };
    const parsed = parseManifest(flagged);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.provenance.leakageFlagsKept).toEqual([{ key: 'web_visits', reason: 'it keeps changing after the outcome' }]);
    expect(parseManifest(bundled).ok).toBe(true); // none recorded
    const onNoFeature = structuredClone(flagged);
    onNoFeature.provenance.leakageFlagsKept[0].key = 'not_a_feature';
    expect(errorOf(onNoFeature)).toContain('provenance.leakageFlagsKept.0.key: flags "not_a_feature", which is no feature');
    expect(errorOf({ ...clone(), provenance: { ...bundled.provenance, leakageFlagsKept: [] } })).toContain('provenance.leakageFlagsKept');
  });

  it('records that a model\'s leakage check could not run, and why, parses manifests without it, and never beside flags it would have made', () => {
    const notRun = { reason: 'the created dates are not one per lead' };
    const parsed = parseManifest({ ...clone(), provenance: { ...bundled.provenance, leakageCheckNotRun: notRun } });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.provenance.leakageCheckNotRun).toEqual(notRun);
    const older = parseManifest(bundled); // written before it was recorded
    if (!older.ok) throw new Error(older.error);
    expect(older.manifest.provenance).not.toHaveProperty('leakageCheckNotRun');
    const both = { ...clone(), provenance: { ...bundled.provenance, leakageCheckNotRun: notRun, leakageFlagsKept: [{ key: 'web_visits', reason: 'it keeps changing after the outcome' }] } };
    expect(errorOf(both)).toContain('provenance.leakageCheckNotRun: a leakage check that did not run flagged no feature');
    expect(errorOf({ ...clone(), provenance: { ...bundled.provenance, leakageCheckNotRun: {} } })).toContain('provenance.leakageCheckNotRun.reason');
  });

  it("records that a model was trained on Demo mode's made-up leads, and parses manifests without it", () => {
    const parsed = parseManifest({ ...clone(), provenance: { ...bundled.provenance, source: 'salesforce demo leads', demoLeads: true } });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.provenance.demoLeads).toBe(true);
    const older = parseManifest(bundled); // written before it was recorded
    if (!older.ok) throw new Error(older.error);
    expect(older.manifest.provenance).not.toHaveProperty('demoLeads');
    // Set or absent: a model of the company's own leads records nothing.
    expect(errorOf({ ...clone(), provenance: { ...bundled.provenance, demoLeads: false } })).toContain('provenance.demoLeads');
  });

  it('keeps the training leads per bin of a feature\'s own term, one count per bin, and parses manifests without them', () => {
    const withCounts = clone();
    const own = withCounts.terms.findIndex((term: { features: number[] }) => term.features.length === 1);
    const key = withCounts.features[withCounts.terms[own].features[0]].key;
    const reference = withCounts.reference.features.findIndex((r: { key: string }) => r.key === key);
    const bins = withCounts.terms[own].shape.axes[0].labels.length;
    withCounts.reference.features[reference].binRows = Array.from({ length: bins }, (_, bin) => bin * 10);
    const parsed = parseManifest(withCounts);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.reference.features[reference].binRows).toEqual(Array.from({ length: bins }, (_, bin) => bin * 10));

    expect(bundled.reference.features.filter((r: { binRows?: number[] }) => !r.binRows)).toEqual([]); // the bundled model records them

    const without = clone();
    for (const r of without.reference.features) delete r.binRows;
    expect(parseManifest(without).ok).toBe(true);

    const path = `reference.features.${reference}.binRows`;
    const short = structuredClone(withCounts);
    short.reference.features[reference].binRows.pop();
    expect(errorOf(short)).toContain(`${path}: ${bins - 1} lead counts for ${bins} bins`);
    const fraction = structuredClone(withCounts);
    fraction.reference.features[reference].binRows[0] = 0.5;
    expect(errorOf(fraction)).toContain(`${path}.0`);
  });

  it('checks that a shape function has one score per bin', () => {
    const m = clone();
    const numeric = m.terms.findIndex((term: { features: number[] }) => term.features.length === 1 && m.features[term.features[0]].type === 'numeric');
    m.terms[numeric].shape = { axes: [{ labels: ['low', 'high', 'missing'], edges: [10] }], scores: [0.1, -0.1, 0] };
    m.reference.features.find((r: { key: string }) => r.key === m.features[m.terms[numeric].features[0]].key).binRows = [60, 30, 10]; // the term's own counts go with its shape
    expect(ManifestSchema.safeParse(m).success).toBe(true);
    m.terms[numeric].shape.scores.pop();
    expect(errorOf(m)).toContain(`terms.${numeric}.shape.scores`);
  });

  it('refuses a shape axis of more bins than the trainer could ever write, naming its feature and count: ranking its ranges for the ideal takes time in its bins squared', () => {
    expect(MAX_AXIS_BINS).toBeGreaterThanOrEqual(2 * (MAX_VALUE_BINS + 1)); // room above the trainer's most, "missing" included
    const withBins = (bins: number) => {
      const m = clone();
      const visits = m.terms.findIndex((term: { features: number[] }) => term.features.length === 1 && m.features[term.features[0]].key === 'web_visits');
      const edges = Array.from({ length: bins - 2 }, (_, i) => i + 0.5);
      m.terms[visits].shape = { axes: [{ labels: [...edges.map((_, i) => `bin ${i}`), 'top', 'missing'], edges }], scores: new Array(bins).fill(0) };
      m.reference.features.find((r: { key: string }) => r.key === 'web_visits').binRows = new Array(bins).fill(10);
      return { m, visits };
    };
    expect(parseManifest(withBins(MAX_AXIS_BINS).m).ok).toBe(true);
    const { m, visits } = withBins(50_000);
    expect(errorOf(m)).toBe(`The model manifest is invalid: terms.${visits}.shape.axes.0.labels: "web_visits" has 50,000 bins, at most 1,024 are allowed (LeadLens trains at most 256)`);
    expect(errorOf(withBins(MAX_AXIS_BINS + 1).m)).toContain('"web_visits" has 1,025 bins');
  });

  it('refuses a vocabulary of more levels than a shape axis holds, naming its feature, also on a feature no term reads: featurization maps every level on each score', () => {
    expect(MAX_VOCABULARY_LEVELS).toBeGreaterThanOrEqual(MAX_LEVELS + 1); // every model trained here passes: its levels and "(other)"
    expect(MAX_VOCABULARY_LEVELS + 1).toBeLessThanOrEqual(MAX_AXIS_BINS); // and any vocabulary allowed fits a shape axis with "missing"
    /** The bundled manifest with a categorical feature of `levels` levels that no term reads (the model's input only). */
    const withUnreadLevels = (levels: number) => {
      const m = clone();
      const vocabulary = Array.from({ length: levels }, (_, i) => `level ${i}`);
      m.features.push({ key: 'region_code', label: 'Region code', type: 'categorical', vocabulary, otherCode: levels - 1, derive: { kind: 'value', from: { csv: 'Region code' } } });
      return m;
    };
    expect(parseManifest(withUnreadLevels(MAX_VOCABULARY_LEVELS)).ok).toBe(true);
    const index = bundled.features.length;
    expect(errorOf(withUnreadLevels(100_000))).toBe(
      `The model manifest is invalid: features.${index}.vocabulary: "region_code" has 100,000 levels, at most 1,023 are allowed (LeadLens trains at most 255)`,
    );
    expect(errorOf(withUnreadLevels(MAX_VOCABULARY_LEVELS + 1))).toContain('"region_code" has 1,024 levels');
  });

  it("refuses a feature's list of placeholders for missing beyond a bound, in a manifest and in a spec to train from: every value read is compared with each", () => {
    const sourceIndex = bundled.features.findIndex((feature: { key: string }) => feature.key === 'lead_source');
    const withPlaceholders = (count: number) => {
      const m = clone();
      m.features[sourceIndex].missingValues = Array.from({ length: count }, (_, i) => `unknown ${i}`);
      return m;
    };
    expect(parseManifest(withPlaceholders(MAX_MISSING_VALUES)).ok).toBe(true);
    expect(errorOf(withPlaceholders(100_000))).toBe(`The model manifest is invalid: features.${sourceIndex}.missingValues: may list at most 1,000 placeholders for missing`);
    const { vocabulary: _vocabulary, otherCode: _otherCode, ...spec } = withPlaceholders(MAX_MISSING_VALUES + 1).features[sourceIndex];
    expect(FeatureSpecListSchema.safeParse([spec]).success).toBe(false);
    expect(FeatureSpecListSchema.safeParse([{ ...spec, missingValues: spec.missingValues.slice(1) }]).success).toBe(true);
  });

  it("refuses a shape axis whose edges and labels do not bin its feature as the trainer writes them, which the engine check cannot see", () => {
    type Axis = { labels: string[]; edges: number[] };
    const features: { key: string; type: string; vocabulary?: string[] }[] = bundled.features;
    const terms: { features: number[]; shape: { axes: Axis[]; scores: number[] } }[] = bundled.terms;
    // As the trainer writes them: a category's levels then "missing", without edges; any other
    // feature one value bin per edge and one above the last, then "missing", edges increasing.
    for (const term of terms) {
      term.shape.axes.forEach((axis, a) => {
        const feature = features[term.features[a]];
        if (feature.type === 'categorical') expect(axis).toEqual({ labels: [...feature.vocabulary!, 'missing'], edges: [] });
        else expect([axis.labels.length, axis.labels.at(-1), axis.edges.every((edge, i) => i === 0 || edge > axis.edges[i - 1])]).toEqual([axis.edges.length + 2, 'missing', true]);
      });
    }
    const visits = terms.findIndex((term) => term.features.length === 1 && features[term.features[0]].key === 'web_visits');
    const visitsAxis = `terms.${visits}.shape.axes.0`;
    const { edges } = terms[visits].shape.axes[0];
    const withEdges = (change: (edges: number[]) => void) => {
      const m = clone();
      change(m.terms[visits].shape.axes[0].edges);
      return m;
    };
    // An upper edge for the top bin too (another trainer's off-by-one): above 1,000 visits the shape would read "missing", model.onnx the top bin.
    expect(errorOf(withEdges((e) => e.push(1000)))).toContain(`${visitsAxis}.edges: ${edges.length + 1} edges make ${edges.length + 2} value bins and "missing", so ${edges.length + 3} bin labels, not ${edges.length + 2}`);
    expect(errorOf(withEdges((e) => e.pop()))).toContain(`${visitsAxis}.edges: ${edges.length - 1} edges make`);
    expect(errorOf(withEdges((e) => e.reverse()))).toContain(`${visitsAxis}.edges: edges must strictly increase`);
    expect(errorOf(withEdges((e) => (e[1] = e[0])))).toContain(`${visitsAxis}.edges: edges must strictly increase`);
    const infinite = JSON.parse(JSON.stringify(clone()).replace(`"edges":[${edges.join(',')}]`, `"edges":[${edges.slice(0, -1).join(',')},1e999]`));
    expect(infinite.terms[visits].shape.axes[0].edges.at(-1)).toBe(Infinity);
    expect(errorOf(infinite)).toContain(`${visitsAxis}.edges.${edges.length - 1}`);

    // A category's bin is its code: no edges, and its levels in the vocabulary's order, in a pair as in its own term.
    const category = terms.findIndex((term) => term.features.length === 1 && features[term.features[0]].type === 'categorical');
    const key = features[terms[category].features[0]].key;
    const levels = features[terms[category].features[0]].vocabulary!.length;
    const withAxis = (term: number, a: number, change: (axis: Axis) => void) => {
      const m = clone();
      change(m.terms[term].shape.axes[a]);
      return m;
    };
    expect(errorOf(withAxis(category, 0, (axis) => axis.edges.push(0.5)))).toContain(`terms.${category}.shape.axes.0.edges: "${key}" is categorical: its bins are its levels, so its axis has no edges`);
    const oneLevelShort = withAxis(category, 0, (axis) => axis.labels.splice(-2, 1));
    oneLevelShort.terms[category].shape.scores.pop();
    expect(errorOf(oneLevelShort)).toContain(`terms.${category}.shape.axes.0.labels: ${levels} bin labels, but "${key}" needs ${levels + 1}: its ${levels} levels, then "missing"`);
    expect(errorOf(withAxis(category, 0, (axis) => axis.labels.splice(0, 2, axis.labels[1], axis.labels[0])))).toContain(`terms.${category}.shape.axes.0.labels.0: bin 0 is not labelled as "${key}"'s level 0`);
    const pair = terms.findIndex((term) => term.features.length === 2 && features[term.features[1]].type === 'categorical');
    const pairKey = features[terms[pair].features[1]].key;
    expect(errorOf(withAxis(pair, 1, (axis) => (axis.labels[0] = 'Something else')))).toContain(`terms.${pair}.shape.axes.1.labels.0: bin 0 is not labelled as "${pairKey}"'s level 0`);

    // Yes / No, and a number with a single value bin, as the trainer writes them.
    expect(terms.some((term) => term.shape.axes.some((axis) => axis.labels.join() === 'No,Yes,missing' && axis.edges.length === 1))).toBe(true);
    const single = clone();
    single.terms[visits].shape = { axes: [{ labels: ['any', 'missing'], edges: [] }], scores: [0.1, -0.1] };
    delete single.reference.features.find((r: { key: string }) => r.key === 'web_visits').binRows;
    expect(parseManifest(single).ok).toBe(true);
  });

  it('parses a manifest of 30,000 features and their own terms, pairing each reference feature with its own term by key', () => {
    // Each reference feature was once matched by a search over the features and the terms: seconds of parsing at this size.
    const F = 30_000;
    const shape = (bins: number) => ({ axes: [{ labels: [...Array.from({ length: bins - 1 }, (_, b) => `bin ${b}`), 'missing'], edges: Array.from({ length: bins - 2 }, (_, b) => b) }], scores: new Array(bins).fill(0) });
    const wide = {
      ...clone(),
      features: Array.from({ length: F }, (_, f) => ({ key: `f${f}`, label: `F${f}`, type: 'numeric', derive: { kind: 'value', from: { csv: `c${f}` } } })),
      // Terms in the other order than their features, a pair first: a feature's own term is no pair, and not at its index.
      terms: [{ features: [0, 1], label: 'F0 × F1', shape: { axes: [shape(3).axes[0], shape(3).axes[0]], scores: new Array(9).fill(0) } }, ...Array.from({ length: F }, (_, t) => ({ features: [F - 1 - t], label: `F${F - 1 - t}`, shape: shape(2 + ((F - 1 - t) % 3)) }))],
      reference: { ...bundled.reference, features: Array.from({ length: F }, (_, r) => ({ key: `f${(r * 7) % F}`, missingShare: 0, idealValue: '', idealContribution: 0, binRows: new Array(2 + (((r * 7) % F) % 3)).fill(1) })) },
      provenance: { ...bundled.provenance, leakageFlagsKept: undefined },
    };
    const parsed = parseManifest(wide);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.features).toHaveLength(F);

    const last = F - 1;
    const f = (last * 7) % F;
    const miscounted = structuredClone(wide);
    miscounted.reference.features[last].binRows.push(1);
    expect(errorOf(miscounted)).toBe(`The model manifest is invalid: reference.features.${last}.binRows: ${3 + (f % 3)} lead counts for ${2 + (f % 3)} bins`);
    const unshaped = structuredClone(wide);
    delete (unshaped.terms[F - f] as { shape?: unknown }).shape; // f's own term: no bins to count
    unshaped.reference.features[last].binRows.push(1);
    expect(parseManifest(unshaped).ok).toBe(true);
  });

  it('refuses what explanations and scores would misread: a shape with other axes than its term has features, a pair of one feature, a key used twice, decreasing percentiles', () => {
    const pair = clone().terms.findIndex((term: { features: number[] }) => term.features.length === 2);
    expect(pair).toBeGreaterThanOrEqual(0);

    const oneAxis = clone();
    oneAxis.terms[pair].shape.axes.pop();
    oneAxis.terms[pair].shape.scores = oneAxis.terms[pair].shape.scores.slice(0, oneAxis.terms[pair].shape.axes[0].labels.length);
    expect(errorOf(oneAxis)).toContain(`terms.${pair}.shape.axes: term ${pair} has 2 feature(s) but its shape has 1 axes`);

    const itself = clone();
    itself.terms[pair].features = [itself.terms[pair].features[0], itself.terms[pair].features[0]];
    expect(errorOf(itself)).toContain(`terms.${pair}.features: term ${pair} pairs feature`);

    const twice = clone();
    twice.features[1].key = twice.features[0].key;
    expect(errorOf(twice)).toContain(`features.1.key: feature key "${twice.features[0].key}" is used twice`);

    const decreasing = clone();
    decreasing.reference.probabilityPercentiles[50] = 0;
    expect(errorOf(decreasing)).toContain('reference.probabilityPercentiles: percentiles must not decrease');

    // The side panel names a calibration bin's lead count beside its rate: one per bin.
    const counts = clone();
    expect(counts.metrics.calibrationLeads).toHaveLength(counts.metrics.calibration.length);
    counts.metrics.calibrationLeads.pop();
    expect(errorOf(counts)).toContain('metrics.calibrationLeads');

    // …and reads a lead's bin off the bins' probability ranges: one per bin, each in order and within [0, 1].
    const bins: number = bundled.metrics.calibration.length;
    const withRanges = (edit: (ranges: number[][]) => void) => {
      const m = clone();
      m.metrics.calibrationRanges = Array.from({ length: bins }, (_, i) => [i / bins, (i + 0.5) / bins]);
      edit(m.metrics.calibrationRanges);
      return m;
    };
    expect(parseManifest(withRanges(() => {})).ok).toBe(true);
    expect(parseManifest(withRanges((ranges) => (ranges[1] = [ranges[1][0], ranges[1][0]]))).ok).toBe(true); // one probability
    expect(parseManifest(withRanges((ranges) => (ranges[1][0] = ranges[0][1]))).ok).toBe(true); // touching the bin below
    expect(errorOf(withRanges((ranges) => ranges.pop()))).toContain(`metrics.calibrationRanges: ${bins - 1} probability ranges for ${bins} calibration bins`);
    expect(errorOf(withRanges((ranges) => ranges.reverse()))).toContain('metrics.calibrationRanges.1: ranges must not decrease');
    expect(errorOf(withRanges((ranges) => (ranges[2] = [ranges[2][1], ranges[2][0]])))).toContain('metrics.calibrationRanges.2: a range must not end below its start');
    expect(errorOf(withRanges((ranges) => (ranges[3][0] = ranges[2][1] - 0.01)))).toContain('metrics.calibrationRanges.3: ranges must not decrease');
    expect(errorOf(withRanges((ranges) => (ranges[bins - 1][1] = 1.2)))).toContain(`metrics.calibrationRanges.${bins - 1}.1`);
    expect(errorOf(withRanges((ranges) => (ranges[0][0] = -0.1)))).toContain('metrics.calibrationRanges.0.0');
    // Models trained before the ranges were kept parse as before.
    const { calibrationRanges: _kept, ...older } = bundled.metrics;
    expect(parseManifest({ ...clone(), metrics: older }).ok).toBe(true);
  });
});

describe("an imported model's metrics", () => {
  // The Model report, the model card and the versions list show them as they are, and the engine check never reads them.
  it.each([
    ['a cross-validated ROC-AUC above 1', (m: any) => void (m.metrics.cvRocAuc = 7), 'metrics.cvRocAuc'],
    ['a negative cross-validated ROC-AUC', (m: any) => void (m.metrics.cvRocAuc = -0.1), 'metrics.cvRocAuc'],
    ['a PR-AUC above 1', (m: any) => void (m.metrics.cvPrAuc = 1.5), 'metrics.cvPrAuc'],
    ['a holdout ROC-AUC above 1', (m: any) => void (m.metrics.holdoutRocAuc = 1.01), 'metrics.holdoutRocAuc'],
    ['an out-of-time ROC-AUC above 1', (m: any) => void (m.metrics.outOfTimeRocAuc = 81.6), 'metrics.outOfTimeRocAuc'],
    ['a negative log loss', (m: any) => void (m.metrics.cvLogLoss = -0.2), 'metrics.cvLogLoss'],
    ['an infinite log loss (JSON 1e999)', (m: any) => void (m.metrics.cvLogLoss = JSON.parse('1e999')), 'metrics.cvLogLoss'],
    ['a negative uncalibrated log loss', (m: any) => void (m.metrics.uncalibratedLogLoss = -1), 'metrics.uncalibratedLogLoss'],
    ['a calibration error above 1', (m: any) => void (m.metrics.ece = 2), 'metrics.ece'],
    ['a negative Brier score', (m: any) => void (m.metrics.brier = -0.07), 'metrics.brier'],
    ['a Brier score above 1', (m: any) => void (m.metrics.brier = 7), 'metrics.brier'],
    ['a ROC point off the unit square', (m: any) => void (m.metrics.roc[3][0] = 1.2), 'metrics.roc.3.0'],
    ['a PR point with a negative precision', (m: any) => void (m.metrics.pr[2][1] = -0.5), 'metrics.pr.2.1'],
    ['a calibration bin converting at 150 %', (m: any) => void (m.metrics.calibration[9][1] = 1.5), 'metrics.calibration.9.1'],
    ['a profit point at a threshold above 1', (m: any) => void (m.metrics.profit[0][0] = 2), 'metrics.profit.0.0'],
    ['a decile converting at 250 %', (m: any) => void (m.metrics.liftByDecile[0] = 2.5), 'metrics.liftByDecile.0'],
    ['a decile converting at a negative rate', (m: any) => void (m.metrics.liftByDecile[9] = -0.01), 'metrics.liftByDecile.9'],
    ['two deciles instead of ten', (m: any) => void (m.metrics.liftByDecile = [0.36, 0.01]), 'metrics.liftByDecile'],
    ['no deciles', (m: any) => void (m.metrics.liftByDecile = []), 'metrics.liftByDecile'],
    ['a calibration curve with no bins', (m: any) => void Object.assign(m.metrics, { calibration: [], calibrationLeads: undefined, calibrationRanges: undefined }), 'metrics.calibration'],
    ['a ROC curve with no points', (m: any) => void (m.metrics.roc = []), 'metrics.roc'],
    ['a hot confusion at a threshold above 1', (m: any) => void (m.metrics.tierConfusion.hot.threshold = 21.6), 'metrics.tierConfusion.hot.threshold'],
  ])('refuses %s, naming its path', (_what, damage, path) => {
    const m = clone();
    damage(m);
    expect(errorOf(m)).toMatch(new RegExp(`^The model manifest is invalid: ${path.replaceAll('.', '\\.')}: `));
  });

  it('keeps every figure the trainer writes at the ends of its range, profit of either sign, and older models without the newer figures', () => {
    const m = clone();
    Object.assign(m.metrics, { cvRocAuc: 1, cvPrAuc: 0, holdoutRocAuc: 0, outOfTimeRocAuc: 1, cvLogLoss: 0, uncalibratedLogLoss: 34.5, ece: 0, brier: 1 });
    m.metrics.roc = [[0, 0], [1, 1]];
    m.metrics.profit = [[0, -10], [1, 0]];
    m.metrics.liftByDecile = Array.from({ length: 10 }, (_, i) => (i === 0 ? 1 : 0));
    expect(parseManifest(m).ok).toBe(true);
    expect(bundled.metrics.profit.some(([, profit]: number[]) => profit < 0)).toBe(true);
    const { brier: _brier, uncalibratedLogLoss: _uncalibrated, liftByDecile: _deciles, ...older } = bundled.metrics;
    expect(parseManifest({ ...clone(), metrics: older }).ok).toBe(true);

    // A model trained before the trainer clamped its decile rates may hold one a sum's rounding put over 1.
    m.metrics.liftByDecile = [1, 1, 1, 1, 0.9999999999999996, 1.0000000000000004, 0.36, 0, 0, 0];
    expect(parseManifest(m).ok).toBe(true);
  });
});

describe('a manifest made by a newer LeadLens', () => {
  const newer = 'This model was made by a newer version of LeadLens: update LeadLens to use it (its manifest has fields this version does not know: ';

  // Every strict level a later LeadLens may add a field to, from the top down to a feature's CRM field names.
  it.each([
    ['the top level', (m: any) => void (m.scoreBands = [0.2, 0.5]), '(root)'],
    ['a feature', (m: any) => void (m.features[0].explainer = 'plain'), 'features.0'],
    ["a feature's derivation", (m: any) => void (m.features[0].derive.fallback = 'zero'), 'features.0.derive'],
    ["a feature's CRM field names", (m: any) => void (m.features[0].derive.from.pipedrive = 'revenue'), 'features.0.derive.from'],
    ["a term's shape axis", (m: any) => void (m.terms[0].shape.axes[0].scale = 'log'), 'terms.0.shape.axes.0'],
    ['the calibration', (m: any) => void (m.calibration.fittedOn = 'holdout'), 'calibration'],
    ['the tier policy', (m: any) => void (m.tiers.policy.reviewedBy = 'ops'), 'tiers.policy'],
    ["a reference feature's summary", (m: any) => void (m.reference.features[0].median = 3), 'reference.features.0'],
    ['the provenance', (m: any) => void (m.provenance.crmOrg = 'acme'), 'provenance'],
    ["a metric's part", (m: any) => void (m.metrics.tierConfusion.hot.f1 = 0.4), 'metrics.tierConfusion.hot'],
  ])('is refused, saying to update LeadLens, when it has a field this version does not know in %s', (_where, addField, path) => {
    const m = clone();
    addField(m);
    const parsed = parseManifest(m);
    expect(parsed).toMatchObject({ ok: false, madeByNewerVersion: true });
    expect(errorOf(m)).toMatch(new RegExp(`^${newer.replace(/[()]/g, '\\$&')}${path.replace(/[.()]/g, '\\$&')}: Unrecognized key: "[a-zA-Z0-9]+"\\)\\.$`));
  });

  it('is refused, saying to update LeadLens, when a later schema version made it, whatever its other fields hold', () => {
    const m = clone();
    m.schemaVersion = 2;
    m.features = [{ key: 'revenue', reading: 'a shape this version never had' }];
    expect(parseManifest(m)).toEqual({
      ok: false,
      madeByNewerVersion: true,
      error: "This model was made by a newer version of LeadLens: update LeadLens to use it (its manifest's schema version is 2; this version reads 1).",
    });
  });

  it('names each field it does not know', () => {
    const m = clone();
    m.scoreBands = [0.2, 0.5];
    m.provenance.crmOrg = 'acme';
    expect(errorOf(m)).toBe(`${newer}provenance: Unrecognized key: "crmOrg"; (root): Unrecognized key: "scoreBands").`);
  });

  it('is invalid, not newer, when it is also wrong in a way no newer LeadLens writes', () => {
    const m = clone();
    m.scoreBands = [0.2, 0.5];
    Object.assign(m.tiers, { hot: 0.1, warm: 0.5 });
    const parsed = parseManifest(m);
    expect(parsed.ok).toBe(false);
    expect(parsed).not.toHaveProperty('madeByNewerVersion');
    expect(errorOf(m)).toBe('The model manifest is invalid: tiers.warm: warm threshold must not exceed hot; (root): Unrecognized key: "scoreBands"');
  });

  // Every place a later LeadLens may add an option: a derivation's kind, a calibration's, a tier policy's, a feature's type.
  it.each([
    ['a derivation', (m: any) => void (m.features[0].derive = { kind: 'companyAge', from: { csv: 'founded' } }), "features.0.derive.kind: Invalid discriminator value. Expected 'value' | 'daysSince'"],
    ['a calibration', (m: any) => void (m.calibration = { kind: 'beta', a: 1, b: 2, c: 3 }), "calibration.kind: Invalid discriminator value. Expected 'none' | 'platt' | 'isotonic'"],
    ['a tier policy', (m: any) => void (m.tiers.policy = { kind: 'quota', perRep: 5 }), "tiers.policy.kind: Invalid discriminator value. Expected 'value' | 'capacity' | 'fixed'"],
    ['a feature type', (m: any) => void (m.features[0].type = 'ordinal'), 'features.0.type: Invalid option: expected one of "numeric"|"boolean"|"categorical"'],
  ])('is refused, saying to update LeadLens, when it has %s of a kind this version does not know', (_what, addOption, issue) => {
    const m = clone();
    addOption(m);
    expect(parseManifest(m)).toMatchObject({ ok: false, madeByNewerVersion: true });
    expect(errorOf(m)).toContain(`This model was made by a newer version of LeadLens: update LeadLens to use it (its manifest has options this version does not know: ${issue}`);
  });

  it('says so of a new option with the fields it brings', () => {
    const m = clone();
    m.features[0].type = 'ordinal';
    m.features[0].levels = ['low', 'high'];
    expect(parseManifest(m)).toMatchObject({ ok: false, madeByNewerVersion: true });
    expect(errorOf(m)).toMatch(/^This model was made by a newer version of LeadLens: update LeadLens to use it \(its manifest has fields and options this version does not know: /);
  });

  // No LeadLens writes these: a hand-edited or broken file, or an unknown value where LeadLens adds no options.
  it.each([
    ['a kind that is no name', (m: any) => void (m.calibration = { kind: 7 }), 'calibration.kind'],
    ['no kind', (m: any) => void delete m.tiers.policy.kind, 'tiers.policy.kind'],
    ['a known type miswritten', (m: any) => void (m.features[0].type = 'Numeric'), 'features.0.type'],
    ['an unknown value where options are not added', (m: any) => void (m.metrics.profitAssumptions = { revenuePerConversion: 1, costPerContact: 0, source: 'guess' }), 'metrics.profitAssumptions.source'],
    ['a new option beside a value out of range', (m: any) => void Object.assign(m.tiers, { policy: { kind: 'quota' }, hot: 7 }), 'tiers.hot'],
  ])('is invalid, not newer, with %s', (_what, spoil, path) => {
    const m = clone();
    spoil(m);
    const parsed = parseManifest(m);
    expect(parsed).not.toHaveProperty('madeByNewerVersion');
    expect(errorOf(m)).toMatch(/^The model manifest is invalid: /);
    expect(errorOf(m)).toContain(`${path}: `);
  });

  it('reads a metric this version does not know as it always has: metrics are not strict', () => {
    const m = clone();
    m.metrics.topDecileShare = 0.4;
    expect(parseManifest(m).ok).toBe(true);
  });
});

describe('a tier policy kept for a model (parseStoredTiers)', () => {
  const thresholds = { hot: 0.5, warm: 0.2 };

  it('reads one this version knows', () => {
    expect(parseStoredTiers({ policy: { kind: 'fixed' }, ...thresholds })).toEqual({ ok: true, tiers: { policy: { kind: 'fixed' }, ...thresholds } });
  });

  it('says a newer LeadLens set one of a kind, or with fields, this version does not know', () => {
    expect(parseStoredTiers({ policy: { kind: 'quota', perRep: 5 }, ...thresholds })).toEqual({
      ok: false,
      madeByNewerVersion: true,
      error:
        "Its tier policy was set by a newer version of LeadLens: update LeadLens to use it (the policy has options this version does not know: policy.kind: Invalid discriminator value. Expected 'value' | 'capacity' | 'fixed').",
    });
    expect(parseStoredTiers({ policy: { kind: 'fixed', reviewedBy: 'ops' }, ...thresholds })).toMatchObject({ ok: false, madeByNewerVersion: true });
  });

  it('calls one otherwise wrong invalid, not newer', () => {
    const parsed = parseStoredTiers({ policy: { kind: 'quota' }, hot: 0.1, warm: 'high' });
    expect(parsed).not.toHaveProperty('madeByNewerVersion');
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/^Its stored tier policy is invalid: .*warm/) });
  });
});

describe("an imported model's training counts", () => {
  it('refuses more conversions than leads, naming provenance.positives', () => {
    const m = clone();
    Object.assign(m.provenance, { rows: 10, positives: 500 });
    expect(errorOf(m)).toBe('The model manifest is invalid: provenance.positives: 500 conversions among 10 leads: more than there were');
    Object.assign(m.provenance, { rows: 500, positives: 500 });
    expect(parseManifest(m).ok).toBe(true);
  });

  it('refuses a base rate outside 0–1, and keeps one other than conversions ÷ leads (rounded, weighted, or the scored leads\' rate)', () => {
    const m = clone();
    m.reference.baseRate = 1.2;
    expect(errorOf(m)).toMatch(/^The model manifest is invalid: reference\.baseRate: /);
    expect(bundled.reference.baseRate).toBe(bundled.provenance.positives / bundled.provenance.rows); // as LeadLens's trainer writes it
    for (const baseRate of [0.093, 0.02]) {
      m.reference.baseRate = baseRate;
      expect(parseManifest(m).ok).toBe(true);
    }
  });
});

describe("an imported model's labels", () => {
  const bundledJson = () => JSON.parse(readFileSync('models/manifest.json', 'utf8'));

  it('are shown without invisible controls and cut to 200 characters: a manifest from elsewhere can hold any', () => {
    const json = bundledJson();
    json.features[0].label = `\u202Eevil\n${'A'.repeat(200_000)}`;
    json.terms[0].label = `Job\u200B title\u2066`;
    const parsed = parseManifest(json);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.features[0].label).toBe(`evil ${'A'.repeat(194)}…`);
    expect(parsed.manifest.terms[0].label).toBe('Job title');
  });

  it('keeps a model trained here as it is', () => {
    const json = bundledJson();
    const parsed = parseManifest(json);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.features.map((feature) => feature.label)).toEqual(json.features.map((feature: { label: string }) => feature.label));
    expect(parsed.manifest.terms.map((term) => term.label)).toEqual(json.terms.map((term: { label: string }) => term.label));
  });

  it('must hold something visible', () => {
    const json = bundledJson();
    json.features[0].label = '\u202E\u200B';
    expect(parseManifest(json)).toMatchObject({ ok: false, error: expect.stringContaining('features.0.label') });
  });
});

describe('fields a model reads differently now than when it was trained', () => {
  const feature = (key: string, type: Feature['type'], derive: Feature['derive']): Feature => ({
    key,
    label: key.replace(/_/g, ' '),
    type,
    derive,
    missingValues: [],
    actionable: false,
    ...(type === 'categorical' && { vocabulary: ['a'], otherCode: 0 }),
  });
  const from = (name: string) => ({ csv: name });
  const industry = feature('industry', 'categorical', { kind: 'value', from: from('Industry') });
  const revisedReadings = [
    feature('title_seniority', 'categorical', { kind: 'titleSeniority', from: from('Title') }),
    feature('seniority_rank', 'numeric', { kind: 'titleSeniority', from: from('Title') }),
    feature('last_page', 'categorical', { kind: 'urlCategory', from: from('Last page') }),
    feature('email_domain', 'categorical', { kind: 'emailDomainKind', from: from('Email') }),
    feature('days_since_created', 'numeric', { kind: 'daysSince', from: from('Created') }),
    feature('created_weekday', 'categorical', { kind: 'dayOfWeek', from: from('Created') }),
    feature('click_rate', 'numeric', { kind: 'ratio', numerator: from('Clicks'), denominator: from('Opens') }),
    feature('annual_revenue', 'numeric', { kind: 'value', from: from('Revenue') }), // "1.2M USD"
    feature('opted_out', 'boolean', { kind: 'value', from: from('Opted out') }),
  ];

  it('are those read by a revised reading, in a model trained before the current one or before it was recorded', () => {
    const features = [industry, ...revisedReadings];
    expect(featuresReadDifferentlyNow({ features }).map(({ key }) => key)).toEqual(revisedReadings.map(({ key }) => key));
    expect(featuresReadDifferentlyNow({ features, derivedReadingVersion: DERIVED_READING_VERSION - 1 })).toHaveLength(revisedReadings.length);
    for (const revised of revisedReadings) expect(featuresReadDifferentlyNow({ features: [industry, revised] })).toEqual([revised]);
  });

  it('are none in a model trained with the current reading (or a later one), or one that reads categories as written only', () => {
    const features = [industry, ...revisedReadings];
    expect(featuresReadDifferentlyNow({ features, derivedReadingVersion: DERIVED_READING_VERSION })).toEqual([]);
    expect(featuresReadDifferentlyNow({ features, derivedReadingVersion: DERIVED_READING_VERSION + 1 })).toEqual([]);
    expect(featuresReadDifferentlyNow({ features: [industry, feature('country', 'categorical', { kind: 'value', from: from('Country') })] })).toEqual([]);
  });

  it('are counted to the admin, the first three named, with what to do', () => {
    const modelId = 'team-model';
    const said = (named: string) =>
      `team-model was trained before this version of LeadLens changed how it reads some values: ${named}, and its scores use the new reading. Train it again so it learns from the reading it scores with.`;
    expect(readingChangedNote({ modelId, features: [industry, ...revisedReadings] })).toBe(
      said('9 of its fields may read differently now (title seniority, seniority rank, last page and 6 more)'),
    );
    expect(readingChangedNote({ modelId, features: [industry, ...revisedReadings.slice(0, 3)] })).toBe(
      said('3 of its fields may read differently now (title seniority, seniority rank and last page)'),
    );
    expect(readingChangedNote({ modelId, features: [industry, revisedReadings[0]] })).toBe(said('one of its fields may read differently now (title seniority)'));
    expect(readingChangedNote({ modelId, features: [industry, ...revisedReadings], derivedReadingVersion: DERIVED_READING_VERSION })).toBeNull();
  });
});
