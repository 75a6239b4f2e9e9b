/**
 * The plan's promise is the model's: for demo leads of both CRMs, the changes a plan names,
 * made to the lead's own CRM record, featurized and scored again by the bundled model, give
 * the probability the plan says. Scored twice: by the ONNX model as the extension runs it
 * (float32), and by the shape functions in TypeScript (float64).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoLeads } from '../crm/demo-data';
import { parseNumber } from './derive';
import { featurizeRecord, type RawRecord, type SourceKind } from './featurize';
import { whatWouldMakeHotter, type HotterPlan } from './insights';
import { parseManifest, type Manifest } from './manifest';
import { tierOf } from './score';
import { termContribution } from './shape';
import { applyCalibration } from './train/calibration';

const now = new Date('2026-11-20T00:00:00Z');
const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.error);
const manifest: Manifest = parsed.manifest;
const F = manifest.features.length;

let session: ort.InferenceSession;
beforeAll(async () => {
  session = await ort.InferenceSession.create('models/model.onnx', { intraOpNumThreads: 1 });
});
afterAll(() => session.release());

interface Scored {
  probability: number;
  contributions: ArrayLike<number>;
}

async function scoreWithOnnx(row: Float32Array): Promise<Scored> {
  const out = await session.run({ features: new ort.Tensor('float32', row, [1, F]) });
  return { probability: (out.probability.data as Float32Array)[0], contributions: out.contributions.data as Float32Array };
}

function scoreWithShapes(row: Float32Array): Scored {
  const contributions = manifest.terms.map((term) => termContribution(term.shape!, term.features.map((f) => row[f])));
  const logit = contributions.reduce((sum, points) => sum + points, manifest.intercept);
  return { probability: applyCalibration(manifest.calibration, logit), contributions };
}

/** The lead's record with the plan's changes made the way a rep's work makes them: new counts, an activity today, a visit to a page. */
function recordAfter(record: RawRecord, plan: HotterPlan, source: SourceKind): RawRecord {
  const changed = { ...record };
  for (const change of plan.changes) {
    const feature = manifest.features[change.feature];
    const { derive } = feature;
    if (derive.kind === 'ratio') throw new Error(`the plan sets "${feature.label}", which is computed from other fields`);
    const field = derive.from[source]!;
    if (derive.kind === 'value' && feature.type === 'numeric') changed[field] = String(change.value);
    else if (derive.kind === 'daysSince' && change.value === 0) changed[field] = now.toISOString();
    else if (derive.kind === 'urlCategory') changed[field] = `https://www.example.com/${feature.vocabulary![change.value]}`;
    else throw new Error(`no field change stands for "${feature.label}" → ${change.to}`);
  }
  return changed;
}

const LEADS = generateDemoLeads({ count: 300, seed: 3, now });
const RECORDS = LEADS.flatMap((lead) => [
  { source: 'hubspot' as const, record: lead.hubspot as RawRecord },
  { source: 'salesforce' as const, record: lead.salesforce as RawRecord },
]);
const field = (key: string) => manifest.features.find((feature) => feature.key === key)!;
const clicksField = field('email_clicks').derive;
const opensField = field('email_opens').derive;

describe.each([
  { engine: 'ONNX', score: scoreWithOnnx, tolerance: 1e-6 },
  { engine: 'shape functions', score: scoreWithShapes, tolerance: 1e-9 },
])('rescored by the $engine', ({ score, tolerance }) => {
  it('a plan promises the probability the model gives the changed record, with clicks never above opens', async () => {
    let plans = 0;
    let emailPlans = 0;
    for (const { source, record } of RECORDS) {
      const before = await score(featurizeRecord(record, manifest.features, source, now));
      const plan = whatWouldMakeHotter(manifest, featurizeRecord(record, manifest.features, source, now), before.contributions, source, tierOf(before.probability, manifest.tiers));
      if (!plan || plan.changes.length === 0) continue;
      plans++;
      const changed = recordAfter(record, plan, source);
      const after = await score(featurizeRecord(changed, manifest.features, source, now));
      expect(Math.abs(after.probability - plan.probabilityAfter)).toBeLessThan(tolerance);
      if (source === 'hubspot') {
        const count = (from: typeof clicksField) => (from.kind === 'value' ? parseNumber(changed[from.from.hubspot!]) : Number.NaN);
        const orNone = (n: number) => (Number.isNaN(n) ? 0 : n);
        expect(orNone(count(clicksField))).toBeLessThanOrEqual(orNone(count(opensField)));
        if (plan.changes.some((change) => change.alsoChanges.some((follower) => manifest.features[follower.feature].key === 'email_click_rate'))) emailPlans++;
      }
    }
    // Enough plans, and plans whose e-mail changes move the click rate, for this to prove something.
    expect(plans).toBeGreaterThan(300);
    expect(emailPlans).toBeGreaterThan(20);
  });
});
