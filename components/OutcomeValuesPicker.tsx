/** What the ticked values mean, as the group says it. */
const INTRO = { converted: 'Converted when:', 'still open': 'Still open (left out) when:', 'still being worked': 'Still being worked (left out) when:' };

/**
 * Values of the outcome field, one checkbox each: those that mean a lead converted, or those
 * that mean it is still open; or the values of a status field that mean it is still being
 * worked. Offered: the values a sample of the leads has (but `unavailable` ones, taken by the
 * other meaning), and the chosen ones it lacks. A rare value (a few conversions among 100,000
 * leads) can fall out of a sample while the leads still have it: it stays chosen, and shown,
 * so it can still be unticked. A value the CRM labels (`labels`) shows as its label.
 */
export function OutcomeValuesPicker({
  meaning = 'converted',
  sampleValues,
  chosen,
  unavailable = [],
  labels,
  onChange,
}: {
  meaning?: keyof typeof INTRO;
  sampleValues: readonly string[];
  chosen: readonly string[];
  unavailable?: readonly string[];
  /** Value → the label the CRM's pages show it as (a HubSpot portal's own stage: "1234567" → "Product Qualified Lead"). */
  labels?: ReadonlyMap<string, string>;
  onChange(chosen: string[]): void;
}) {
  const offered = [...new Set([...sampleValues.filter((value) => !unavailable.includes(value)), ...chosen])];
  return (
    <div role="group" aria-label={`Values that mean ${meaning}`}>
      {INTRO[meaning]}{' '}
      {offered.map((value) => (
        <label key={value} style={{ marginRight: 12 }}>
          <input
            type="checkbox"
            checked={chosen.includes(value)}
            onChange={(event) => onChange(event.target.checked ? [...chosen, value] : chosen.filter((v) => v !== value))}
          />{' '}
          {labels?.get(value) ?? value}
        </label>
      ))}
    </div>
  );
}
