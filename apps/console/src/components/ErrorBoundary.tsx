import { Component, type ComponentChildren } from 'preact';
import { asProblem, type Problem } from '../api';
import { ProblemMessage } from './ProblemMessage';

interface State {
  problem: Problem | null;
}

/** A rendering error shows its message and a way back, never a blank page. */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, State> {
  override state: State = { problem: null };

  override componentDidCatch(error: unknown): void {
    this.setState({ problem: asProblem(error) });
  }

  override render() {
    const { problem } = this.state;
    if (!problem) return this.props.children;
    return (
      <main id="main" class="signin">
        <h1>Audit log</h1>
        <ProblemMessage problem={problem} />
        <button type="button" onClick={() => location.reload()}>
          Reload the page
        </button>
      </main>
    );
  }
}
