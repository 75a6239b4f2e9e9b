import { PageShell } from '@/components/PageShell';
import { optionsSections } from './sections';

export function App() {
  return (
    <PageShell title="LeadLens options">
      <nav aria-label="Sections">
        <ul style={{ display: 'flex', gap: 12, listStyle: 'none', padding: 0, flexWrap: 'wrap' }}>
          {optionsSections.map((section) => (
            <li key={section.id}>
              <a href={`#${section.id}`}>{section.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      {optionsSections.map(({ id, title, Component }) => (
        <section key={id} id={id} aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`}>{title}</h2>
          <Component />
        </section>
      ))}
    </PageShell>
  );
}
