// One Apollo Client for the whole app: queries and mutations over HTTP (POST /graphql), subscriptions
// over graphql-ws on the same URL. The token goes in the `authorization` header and in graphql-ws
// `connectionParams`; the socket reconnects with exponential back-off and jitter, and screens learn of
// the connection's state (connected, reconnecting) from `connection` below.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import { OperationTypeNode } from "graphql";
import { session } from "./session";

const GRAPHQL_PATH = "/graphql";

export type ConnectionState = "connecting" | "connected" | "reconnecting";
type Listener = (state: ConnectionState, reconnects: number) => void;

/** The socket's state, for the banner and for screens that read again after a reconnect. */
export const connection = {
  state: "connecting" as ConnectionState,
  /** How many times the socket connected again after losing its connection. */
  reconnects: 0,
  listeners: new Set<Listener>(),
  set(state: ConnectionState) {
    if (state === "connected" && this.state === "reconnecting") this.reconnects++;
    this.state = state;
    for (const l of this.listeners) l(state, this.reconnects);
  },
};

const wsUrl = () => `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${GRAPHQL_PATH}`;

const auth = () => (session.token ? `Bearer ${session.token}` : undefined);

const ws = createClient({
  url: wsUrl,
  // Read on every (re)connect: a log-in or log-out takes effect on the next connection.
  connectionParams: () => (session.token ? { authorization: auth() } : {}),
  lazy: true,
  // Any close (server restarting, network lost, instance stopped) retries for ever...
  retryAttempts: Infinity,
  shouldRetry: () => true,
  // ...waiting 0.5 s, 1 s, 2 s ... up to 10 s, plus up to 0.5 s of jitter so clients spread out.
  retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries) + Math.random() * 500)),
  keepAlive: 10_000,
  on: {
    connecting: (isRetry) => connection.set(isRetry ? "reconnecting" : "connecting"),
    connected: () => connection.set("connected"),
    // 1000: closed on purpose (no subscription left, or a log-out); anything else is lost and retried.
    closed: (event) => {
      if ((event as { code?: number }).code !== 1000 && connection.state === "connected") connection.set("reconnecting");
    },
  },
});

/** Closes the socket (after log-in or log-out); it opens again with the new token on next use. */
export function restartSocket(): void {
  ws.terminate();
  connection.state = "connecting";
}

const http = new HttpLink({
  uri: GRAPHQL_PATH,
  fetch: (input, init) => {
    const headers = new Headers(init?.headers);
    const value = auth();
    if (value) headers.set("authorization", value);
    return fetch(input, { ...init, headers });
  },
});

const link = ApolloLink.split((op) => op.operationType === OperationTypeNode.SUBSCRIPTION, new GraphQLWsLink(ws), http);

export const client = new ApolloClient({
  link,
  cache: new InMemoryCache(),
  // Screens show what the server says now: every query goes to the network; live parts come from
  // subscriptions, which the screens hold themselves.
  defaultOptions: {
    query: { fetchPolicy: "network-only" },
    watchQuery: { fetchPolicy: "network-only" },
  },
});
