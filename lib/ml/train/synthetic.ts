/**
 * A seeded synthetic lead history for tests (no data files needed): CSV-like string records
 * with numbers (some with currency formatting), categoricals (with rare levels and
 * "Select"), booleans, dates, job titles, e-mails and missing values, and a target drawn
 * from a known additive-plus-interaction logit.
 */
import type { RawRecord } from '../featurize';
import { mulberry32 } from '../random';

export function syntheticLeads(n: number, seed = 1, options: { positiveShift?: number } = {}): RawRecord[] {
  const r = mulberry32(seed);
  const sources = ['Web', 'Referral', 'Event', 'Partner', 'Cold call'];
  const sourceEffect = [0, 1.2, 0.4, 0.6, -1.0];
  const industries = ['Software', 'Retail', 'Finance', 'Health', 'Education', 'Manufacturing'];
  const titles = ['CEO', 'VP Sales', 'Director of IT', 'Sales Manager', 'Engineer', 'Student', 'Consultant'];
  const titleEffect = [1.0, 0.8, 0.5, 0.2, 0, -1.0, 0];
  const now = Date.UTC(2026, 10, 1);
  const out: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    const s = Math.floor(r() * sources.length);
    const ind = Math.floor(r() * industries.length);
    const t = Math.floor(r() * titles.length);
    const visits = Math.floor(-Math.log(1 - r()) * 6);
    const revenue = Math.round(Math.exp(10 + r() * 6));
    const missingRevenue = r() < 0.2;
    const days = Math.floor(r() * 120);
    const opted = r() < 0.5;
    const free = r() < 0.35;
    const z =
      -1.2 + (options.positiveShift ?? 0) +
      sourceEffect[s] + titleEffect[t] + 0.25 * Math.min(visits, 12) - days / 60 + (opted ? 0.5 : 0) + (free ? -0.7 : 0) +
      (missingRevenue ? -0.5 : 0.3 * (Math.log(revenue) - 13)) +
      (s === 1 && visits > 5 ? 1.0 : 0);
    const converted = r() < 1 / (1 + Math.exp(-z)) ? '1' : '0';
    // a rare level (pooled), "Select" placeholders
    const industry = r() < 0.003 ? 'Mining' : r() < 0.05 ? 'Select' : industries[ind];
    out.push({
      id: `L${100000 + i}`,
      source: sources[s],
      industry,
      title: titles[t],
      email: `lead${i}@${free ? 'gmail.com' : `company${i % 50}.com`}`,
      visits: String(visits),
      revenue: missingRevenue ? '' : `$${revenue.toLocaleString('en-US')}`,
      last_activity: new Date(now - days * 86_400_000).toISOString().slice(0, 10),
      opted_in: opted ? 'Yes' : 'No',
      constant: 'same',
      empty: '',
      converted,
    });
  }
  return out;
}
