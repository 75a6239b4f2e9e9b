import type { ReactNode } from 'react';

/** Title bar and body shared by the side panel and the options page. */
export function PageShell({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="page-shell" style={{ font: '14px/1.45 system-ui, sans-serif', maxWidth: 880, color: '#1a1a1a' }}>
      <h1 style={{ fontSize: 20, margin: '0 0 12px' }}>{title}</h1>
      {children}
    </main>
  );
}
