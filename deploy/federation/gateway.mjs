// A federated supergraph of Vitrine and a second, tiny subgraph ("shipping") that extends
// Vitrine's Product with a field and references Products of its own, behind Apollo Gateway.
// It is what graph's gateway test runs; it also shows a platform team the moving parts:
//
//   - the supergraph is composed offline (@apollo/composition) from Vitrine's committed subgraph
//     SDL (schema/subgraph.graphql), as `rover supergraph compose` would, so Vitrine can keep
//     introspection off;
//   - the gateway forwards Authorization (Vitrine checks the token itself) and the request's
//     X-Request-ID and traceparent (Vitrine believes them from VITRINE_TRUSTED_PROXIES).
//
// Environment: VITRINE_URL (Vitrine's /graphql), VITRINE_SDL (path of the subgraph SDL),
// FEATURED_IDS (comma-separated Product IDs that shipping's featuredProducts returns).
// It prints "gateway listening on URL" once it serves, and exits on SIGTERM.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { graphql, parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';

const vitrineURL = process.env.VITRINE_URL;
const vitrineSDL = readFileSync(process.env.VITRINE_SDL, 'utf8');
const featured = (process.env.FEATURED_IDS || '').split(',').filter(Boolean);

// The shipping subgraph: owns Product.shippingEstimate, and a root field returning references
// that the gateway completes through Vitrine's _entities.
const shippingTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Product @key(fields: "id") {
    id: ID!
    "Derived from the ID alone, so a test can predict it."
    shippingEstimate: String!
  }
  type Query {
    featuredProducts: [Product!]!
  }
`);
const shippingSchema = buildSubgraphSchema([{
  typeDefs: shippingTypeDefs,
  resolvers: {
    Query: { featuredProducts: () => featured.map((id) => ({ id })) },
    Product: {
      __resolveReference: (ref) => ({ id: ref.id }),
      shippingEstimate: (p) => `ships-${p.id}`,
    },
  },
}]);

// Plain node:http, so this file needs no server framework for the subgraph.
const shipping = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    const { query, variables, operationName } = JSON.parse(body || '{}');
    const result = await graphql({ schema: shippingSchema, source: query, variableValues: variables, operationName });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(result));
  });
});
await new Promise((resolve) => shipping.listen(0, '127.0.0.1', resolve));
const shippingURL = `http://127.0.0.1:${shipping.address().port}/graphql`;

const composed = composeServices([
  { name: 'vitrine', url: vitrineURL, typeDefs: parse(vitrineSDL) },
  { name: 'shipping', url: shippingURL, typeDefs: shippingTypeDefs },
]);
if (composed.errors) {
  for (const e of composed.errors) console.error(`composition error: ${e.message}`);
  process.exit(1);
}

// Headers a router must pass on to Vitrine.
const forwarded = ['authorization', 'x-request-id', 'traceparent', 'tracestate'];

const gateway = new ApolloGateway({
  supergraphSdl: composed.supergraphSdl,
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request, context }) {
        for (const name of forwarded) {
          const value = context.headers?.[name];
          if (value) request.http.headers.set(name, value);
        }
      },
    }),
});

const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: 0, host: '127.0.0.1' },
  context: async ({ req }) => ({ headers: req.headers }),
});
console.log(`gateway listening on ${url}`);

const stop = async () => {
  await server.stop();
  shipping.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
