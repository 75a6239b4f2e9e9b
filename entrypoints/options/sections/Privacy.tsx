export function PrivacySection() {
  return (
    <p>
      LeadLens scores leads inside this browser. Nothing leaves it except calls to your own CRM; it sends no data
      anywhere else and loads no remote code.
    </p>
  );
}
