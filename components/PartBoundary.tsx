import { Component, type ReactNode } from 'react';
import { ErrorState } from './StatusMessage';

/**
 * One part of a page (an options section, the side panel's open lead or segments): if it throws
 * while drawing, it says so in its place, with the error and a way to try again, and the rest
 * of the page goes on working (React would otherwise leave the whole page blank).
 */
export class PartBoundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <ErrorState
        message={`${this.props.name} could not be shown: ${error.message}`}
        action={
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        }
      />
    );
  }
}
