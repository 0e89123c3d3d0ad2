// Small Preact hooks over the Apollo Client core API (no React binding needed): a query read once
// (and again after the socket reconnects), a live subscription, a mutation with its refusal in words,
// the connection state and a ticking clock for countdowns.
import type { TypedDocumentNode } from "@apollo/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { client, connection, type ConnectionState } from "./apollo";
import { describeError } from "./errors";

type Vars = Record<string, unknown>;

export interface QueryState<T> {
  data?: T;
  error?: string;
  loading: boolean;
  refetch: () => void;
}

/** Reads `doc` now, whenever `variables` change, when `refetch` is called and after every reconnect. */
export function useQuery<T, V extends Vars>(doc: TypedDocumentNode<T, V>, variables: V, skip = false): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: !skip });
  const [tick, setTick] = useState(0);
  const reconnects = useReconnects();
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    client.query({ query: doc, variables: variables as never }).then(
      (r) => live && setState({ data: r.data as T, loading: false }),
      (e) => live && setState({ error: describeError(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [doc, key, tick, reconnects, skip]);
  const refetch = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, refetch };
}

/**
 * Holds a subscription while the component is shown. Snapshot subscriptions (queueChanged,
 * courseSeatsChanged, leaderboardChanged, ...) send the current state first, again after every
 * reconnect (graphql-ws subscribes again), so what is shown is never stale.
 */
export function useLive<T, V extends Vars>(doc: TypedDocumentNode<T, V>, variables: V, onData?: (data: T) => void, skip = false): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (skip) return;
    const sub = client.subscribe({ query: doc, variables: variables as never, fetchPolicy: "no-cache" }).subscribe({
      next: (r) => {
        if (r.data) {
          setState({ data: r.data as T });
          handler.current?.(r.data as T);
        } else if (r.error) setState((s) => ({ ...s, error: describeError(r.error) }));
      },
      error: (e) => setState((s) => ({ ...s, error: describeError(e) })),
    });
    return () => sub.unsubscribe();
  }, [doc, key, skip]);
  return state;
}

/** A mutation: `run` resolves with its data, or with undefined after putting the refusal in `error`. */
export function useMutation<T, V extends Vars>(doc: TypedDocumentNode<T, V>): { run: (variables: V) => Promise<T | undefined>; error?: string; busy: boolean; clear: () => void } {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (variables: V) => {
      setBusy(true);
      setError(undefined);
      try {
        const r = await client.mutate({ mutation: doc, variables: variables as never });
        return r.data as T;
      } catch (e) {
        setError(describeError(e));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [doc],
  );
  return { run, error, busy, clear: () => setError(undefined) };
}

export function useConnection(): ConnectionState {
  const [state, setState] = useState(connection.state);
  useEffect(() => {
    const l = (s: ConnectionState) => setState(s);
    connection.listeners.add(l);
    // The socket may have changed state between the first render and now.
    setState(connection.state);
    return () => void connection.listeners.delete(l);
  }, []);
  return state;
}

function useReconnects(): number {
  const [n, setN] = useState(connection.reconnects);
  useEffect(() => {
    const l = (_: ConnectionState, reconnects: number) => setN(reconnects);
    connection.listeners.add(l);
    setN(connection.reconnects);
    return () => void connection.listeners.delete(l);
  }, []);
  return n;
}

/** Date.now(), every `ms` (for countdowns). */
export function useNow(ms = 250): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
