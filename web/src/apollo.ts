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
  connectionParams: () => (session.token ? { authorization: auth() } : {}),
  // Signed in, the socket opens at once and stays open (the banner tells whether the app is live);
  // signed out, none is opened. Logging in or out reloads the app, so the socket has one token.
  lazy: !session.token,
  // Any loss (server restarting, network gone, instance stopped) retries for ever, except the server
  // saying the token is no longer good (4401: expired, or the account locked)...
  retryAttempts: Infinity,
  shouldRetry: (e) => (e as { code?: number } | undefined)?.code !== 4401,
  // ...waiting 0.5 s, 1 s, 2 s ... up to 10 s, plus up to 0.5 s of jitter so clients spread out.
  retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries) + Math.random() * 500)),
  keepAlive: 10_000,
  on: {
    connecting: (isRetry) => connection.set(isRetry ? "reconnecting" : "connecting"),
    connected: () => connection.set("connected"),
    // 1000: closed on purpose; anything else is a lost connection, retried.
    closed: (event) => {
      if ((event as { code?: number }).code !== 1000 && connection.state === "connected") connection.set("reconnecting");
    },
  },
});

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
