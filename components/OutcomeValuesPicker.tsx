/**
 * Values of the outcome field, one checkbox each: those that mean a lead converted, or those
 * that mean it is still open. Offered: the values a sample of the leads has (but `unavailable`
 * ones, taken by the other meaning), and the chosen ones it lacks. A rare value (a few
 * conversions among 100,000 leads) can fall out of a sample while the leads still have it: it
 * stays chosen, and shown, so it can still be unticked.
 */
export function OutcomeValuesPicker({
  meaning = 'converted',
  sampleValues,
  chosen,
  unavailable = [],
  onChange,
}: {
  meaning?: 'converted' | 'still open';
  sampleValues: readonly string[];
  chosen: readonly string[];
  unavailable?: readonly string[];
  onChange(chosen: string[]): void;
}) {
  const offered = [...new Set([...sampleValues.filter((value) => !unavailable.includes(value)), ...chosen])];
  return (
    <div role="group" aria-label={`Values that mean ${meaning}`}>
      {meaning === 'converted' ? 'Converted when:' : 'Still open (left out) when:'}{' '}
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
