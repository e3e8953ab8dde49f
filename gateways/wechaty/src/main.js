// Run the gateway next to gridbot: configuration from the environment (see README.md).
//   GRIDBOT_URL=http://127.0.0.1:8080 GRIDBOT_BRIDGE_SECRET=… WECHATY_PUPPET=wechaty-puppet-… node src/main.js

import { WechatyBuilder, types } from 'wechaty'

import { Gateway } from './gateway.js'

function required (name) {
  const value = process.env[name]
  if (!value) {
    console.error(`${name} is required (see gateways/wechaty/README.md)`)
    process.exit(2)
  }
  return value
}

const wechaty = WechatyBuilder.build({ name: process.env.WECHATY_NAME || 'gridbot-gateway' })
const gateway = new Gateway({
  wechaty,
  types,
  botUrl: required('GRIDBOT_URL'),
  secret: required('GRIDBOT_BRIDGE_SECRET'),
  stateDir: process.env.GATEWAY_STATE_DIR || 'var',
  host: process.env.GATEWAY_HOST || '127.0.0.1',
  port: Number(process.env.GATEWAY_PORT || 8788),
})

wechaty.on('scan', (qrcode, status) => console.log(`scan to log in (${status}): ${qrcode}`))
wechaty.on('login', user => console.log(`logged in as ${user.name()}`))
wechaty.on('logout', user => console.log(`logged out: ${user.name()}; gridbot's posts wait until login`))
wechaty.on('error', error => console.error('wechaty:', error))

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await gateway.stop()
    await wechaty.stop()
    process.exit(0)
  })
}

await gateway.start()
await wechaty.start()
console.log(`gateway: forwarding to ${process.env.GRIDBOT_URL}; gridbot posts to http://${gateway.host}:${gateway.port}/gridbot/outbound`)
