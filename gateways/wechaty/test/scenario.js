// A mocked WeChat (wechaty-puppet-mock) with the real gateway in front of it, driven through stdin
// and reporting through stdout, one JSON object a line; tests/test_wechaty_gateway.py runs it
// against a real `gridbot serve`.
//
//   env: GRIDBOT_URL, GRIDBOT_BRIDGE_SECRET, GATEWAY_PORT, GATEWAY_STATE_DIR, ROOM_ID, ROOM_TOPIC
//   in:  {"say": "resident", "text": "…", "at": true}        a mocked resident speaks in the room
//        {"say": "resident", "text": "…", "private": true}   … or to the bot privately
//        {"photo": "resident", "data_base64": "…", "name": "p.jpg", "private": true}   … sends a picture
//        {"recall": "resident"}                             … takes back their last message (撤回)
//        {"note": "…"}                                      the room's own system line (GroupNote)
//        {"gateway": "down"} / {"gateway": "up"}            stop / start receiving gridbot's posts
//   out: {"ready": true, "port": N, "room": "…", "resident": "…"}
//        {"room_message": "…", "from": "bot"}               what the bot user said in the room
//        {"private_message": "…", "to": "…"}                what the bot user said to a contact
//        {"queued": N, "delivered": N}                      after {"status": true}

import readline from 'node:readline'

import { FileBox } from 'file-box'
import { WechatyBuilder, types } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'

import { Gateway } from '../src/gateway.js'

const out = obj => process.stdout.write(JSON.stringify(obj) + '\n')
const quiet = { log: () => {}, info: () => {}, warn: () => {}, error: (...a) => process.stderr.write(a.join(' ') + '\n') }

const mocker = new mock.Mocker()
const puppet = new PuppetMock({ mocker })
const wechaty = WechatyBuilder.build({ puppet })
await wechaty.start()

const botUser = mocker.createContact({ name: '网格通' })
const resident = mocker.createContact({ name: '老王' })
const neighbour = mocker.createContact({ name: '李阿姨' })
mocker.login(botUser)
const room = mocker.createRoom({
  id: process.env.ROOM_ID || '5550001@chatroom', topic: process.env.ROOM_TOPIC || '居民群',
  memberIdList: [botUser.id, resident.id, neighbour.id],
})
puppet.emit("ready", { data: "mocked" }) // PuppetMock never says it is ready by itself

const lastSaid = {} // talker id → the id of their last message in the room (what a recall takes back)
room.on('message', message => {
  lastSaid[message.talker().id] = message.id
  if (message.talker().id === botUser.id) out({ room_message: message.text(), from: 'bot' })
})
const emit = payload => {
  const message = mocker.MessageMock.create({ id: `mock-${Date.now()}-${Math.random()}`, timestamp: Date.now(),
    roomId: room.id, mentionIdList: [], ...payload })
  puppet.emit('message', { messageId: message.id })
}
resident.on('message', message => {
  if (message.talker().id === botUser.id && !message.room()) out({ private_message: message.text(), to: resident.id })
})

const gateway = new Gateway({
  wechaty, types, botUrl: process.env.GRIDBOT_URL, secret: process.env.GRIDBOT_BRIDGE_SECRET,
  stateDir: process.env.GATEWAY_STATE_DIR, port: Number(process.env.GATEWAY_PORT || 0),
  minDelay: Number(process.env.GATEWAY_MIN_DELAY_MS || 500), maxDelay: Number(process.env.GATEWAY_MAX_DELAY_MS || 4000),
  log: quiet,
})
await gateway.start()
out({ ready: true, port: gateway.port, room: room.id, resident: resident.id })

const speakers = { resident, neighbour }
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  const cmd = JSON.parse(line)
  if (cmd.say) {
    const speaker = speakers[cmd.say]
    const text = cmd.at ? `@${botUser.payload.name}\u2005${cmd.text}` : cmd.text
    if (cmd.private) speaker.say(text).to(botUser)
    else speaker.say(text, cmd.at ? [botUser] : []).to(room)
  } else if (cmd.photo) {
    const picture = FileBox.fromBase64(cmd.data_base64, cmd.name || 'photo.jpg')
    speakers[cmd.photo].say(picture).to(cmd.private ? botUser : room)
  } else if (cmd.recall) {
    const speaker = speakers[cmd.recall]
    emit({ talkerId: speaker.id, type: types.Message.Recalled, text: lastSaid[speaker.id] })
  } else if (cmd.note) {
    emit({ talkerId: neighbour.id, type: types.Message.GroupNote, text: cmd.note })
  } else if (cmd.gateway === 'down') {
    await gateway.close()
    out({ gateway: 'down' })
  } else if (cmd.gateway === 'up') {
    await gateway.listen()
    out({ gateway: 'up', port: gateway.port })
  } else if (cmd.status) {
    out({ queued: gateway.outbox.pending.length, delivered: gateway.outbox.delivered })
  } else if (cmd.quit) {
    break
  }
}
await gateway.stop()
await wechaty.stop()
process.exit(0)
