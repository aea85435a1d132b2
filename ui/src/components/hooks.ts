import { useEffect, useState } from "preact/hooks";

import type { AppState, Store } from "../state/store";

/** The store's state; re-renders the component when it changes. */
export function useStore(store: Store): AppState {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((n) => n + 1)), [store]);
  return store.get();
}
