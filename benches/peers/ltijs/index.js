// The launch path of an ltijs tool, for cowork's launch benchmark (benches/load.rs).
//
// A minimal ltijs 5.9.9 app as its documentation shows: lti.setup with the Sequelize
// database plugin on PostgreSQL, lti.registerPlatform for the benchmark's platform, and
// lti.onConnect rendering a small page. The login and launch routes are /lti/login and
// /lti/launch, the paths the benchmark's platform sends people to.
//
// Options and why:
// - cookies: { secure: false, sameSite: 'Lax' }: the benchmark speaks plain HTTP on
//   127.0.0.1, where a browser drops Secure cookies, and the launch is a top-level post
//   from the same site. These are ltijs's own defaults, written out.
// - devMode stays false (production mode): the state and session cookies are required
//   and checked, and the benchmark's client returns them as a browser does.
// - deploy({ serverless: true }) and lti.app.listen(port, '127.0.0.1'): ltijs's own
//   listener binds every interface, and this one must bind 127.0.0.1 only.
//
// Settings come from the environment, set by benches/load.rs: PEER_PORT, PEER_DB_NAME,
// PEER_DB_HOST, PEER_DB_PORT, PEER_DB_USER, PEER_ISSUER, PEER_CLIENT_ID, PEER_AUTH_URL,
// PEER_TOKEN_URL, PEER_JWKS_URL and PEER_SECRET (ltijs's encryption key).

const lti = require('ltijs').Provider
const Database = require('ltijs-sequelize')

const env = (name) => {
  const value = process.env[name]
  if (!value) throw new Error(`environment variable ${name} is missing`)
  return value
}

const db = new Database(env('PEER_DB_NAME'), env('PEER_DB_USER'), process.env.PEER_DB_PASSWORD || '', {
  host: env('PEER_DB_HOST'),
  port: Number(env('PEER_DB_PORT')),
  dialect: 'postgres',
  logging: false
})

lti.setup(env('PEER_SECRET'), { plugin: db }, {
  appRoute: '/lti/launch',
  loginRoute: '/lti/login',
  cookies: { secure: false, sameSite: 'Lax' },
  devMode: false
})

const escape = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

lti.onConnect((token, req, res) => {
  const title = escape(token.platformContext?.context?.title)
  const name = escape(token.userInfo?.name)
  return res.send(`<!doctype html><title>${title}</title><h1>${title}</h1><p>Welcome, ${name}.</p>`)
})

lti.app.get('/healthz', (req, res) => res.send('ok'))
lti.whitelist('/healthz')

const start = async () => {
  await lti.deploy({ serverless: true, silent: true })
  await lti.registerPlatform({
    url: env('PEER_ISSUER'),
    name: 'cowork benchmark platform',
    clientId: env('PEER_CLIENT_ID'),
    authenticationEndpoint: env('PEER_AUTH_URL'),
    accesstokenEndpoint: env('PEER_TOKEN_URL'),
    authConfig: { method: 'JWK_SET', key: env('PEER_JWKS_URL') }
  })
  const port = Number(env('PEER_PORT'))
  lti.app.listen(port, '127.0.0.1', () => console.log(`ltijs listening on 127.0.0.1:${port}`))
}

start().catch((error) => {
  console.error('ltijs failed to start:', error)
  process.exit(1)
})
