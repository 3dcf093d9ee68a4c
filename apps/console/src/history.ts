/** History of console views: back and forward step between searches (ADR 0080). */
import { useEffect, useState } from 'preact/hooks';
import { parseSearch, toSearch, type ViewState } from './url-state';

type Listener = (state: ViewState) => void;
const listeners = new Set<Listener>();

function current(): ViewState {
  return parseSearch(location.search);
}

function notify(): void {
  const state = current();
  for (const listener of listeners) listener(state);
}

window.addEventListener('popstate', notify);

/** Moves to a new view: a history entry (back returns), or a replacement. */
export function navigate(next: ViewState, options: { replace?: boolean } = {}): void {
  const url = `${location.pathname}${toSearch(next)}`;
  if (url === `${location.pathname}${location.search}`) {
    notify();
    return;
  }
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  notify();
}

export function useViewState(): ViewState {
  const [state, setState] = useState<ViewState>(current);
  useEffect(() => {
    listeners.add(setState);
    setState(current());
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return state;
}
