// node-oidc-provider with the benchmark's setup: one confidential client
// (client_secret_basic), client_credentials and introspection on, its
// default in-memory storage. Listens on 127.0.0.1:PORT.
//
//   node peer.mjs PORT CLIENT_ID CLIENT_SECRET
import Provider from 'oidc-provider';

const [port, clientId, clientSecret] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'read',
  }],
  scopes: ['read'],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
  },
});
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`peer listening on http://127.0.0.1:${port}`);
});
