/**
 * "Converted when": the values of the outcome field that mean a lead converted, one checkbox
 * each. Offered: the values a sample of the leads has, and the chosen ones it lacks. A rare value
 * (a few conversions among 100,000 leads) can fall out of a sample while the leads still have
 * it: it stays chosen, and shown, so it can still be unticked.
 */
export function OutcomeValuesPicker({
  sampleValues,
  chosen,
  onChange,
}: {
  sampleValues: readonly string[];
  chosen: readonly string[];
  onChange(chosen: string[]): void;
}) {
  const offered = [...new Set([...sampleValues, ...chosen])];
  return (
    <div role="group" aria-label="Values that mean converted">
      Converted when:{' '}
      {offered.map((value) => (
        <label key={value} style={{ marginRight: 12 }}>
          <input
            type="checkbox"
            checked={chosen.includes(value)}
            onChange={(event) => onChange(event.target.checked ? [...chosen, value] : chosen.filter((v) => v !== value))}
          />{' '}
          {value}
        </label>
      ))}
    </div>
  );
}
