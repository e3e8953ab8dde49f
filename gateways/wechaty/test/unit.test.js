// Unit tests of the gateway's pieces: `npm test` (make test runs them when Node is there).

import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'

import { MAX_PICTURE_BASE64, bridgeBody, sign, verify, withoutMention } from '../src/bridge.js'
import { pictures } from '../src/gateway.js'
import { Outbox } from '../src/queue.js'

const TYPES = { Unknown: 0, Attachment: 1, Audio: 2, Contact: 3, ChatHistory: 4, Emoticon: 5, Image: 6, Text: 7,
  Location: 8, MiniProgram: 9, GroupNote: 10, Transfer: 11, RedEnvelope: 12, Recalled: 13, Url: 14, Video: 15, Post: 16 }
const silent = { warn () {}, error () {}, log () {} }

function fakeMessage ({ type = TYPES.Text, text = '', self = false, room = 'r1@chatroom', mention = false,
  file = null } = {}) {
  return {
    toFileBox: async () => {
      if (!file) throw new Error('no file in this message')
      return file
    },
    id: 'wx-' + crypto.randomUUID(),
    self: () => self,
    type: () => type,
    text: () => text,
    room: () => (room ? { id: room } : null),
    talker: () => ({ id: 'wxid_res', name: () => '居民甲' }),
    mentionSelf: async () => mention,
  }
}

test('signature is HMAC-SHA256 of the raw body, checked with its timestamp window', () => {
  const body = Buffer.from('{"text":"路灯坏了"}')
  const expected = 'sha256=' + crypto.createHmac('sha256', 'k').update(body).digest('hex')
  assert.equal(sign('k', body), expected)
  const now = 1800000000
  assert.equal(verify('k', body, { 'x-gridbot-timestamp': String(now), 'x-gridbot-signature': expected }, now), null)
  assert.equal(verify('k', body, { 'x-gridbot-timestamp': String(now - 301), 'x-gridbot-signature': expected }, now),
    'timestamp outside the window')
  assert.equal(verify('other', body, { 'x-gridbot-timestamp': String(now), 'x-gridbot-signature': expected }, now),
    'bad signature')
  assert.equal(verify('k', body, { 'x-gridbot-signature': expected }, now), 'timestamp missing')
})

test('mentions of the bot (ending in U+2005) are taken out of the words', () => {
  assert.equal(withoutMention('@网格通\u20053号楼漏水了', '网格通'), '3号楼漏水了')
  assert.equal(withoutMention('3号楼漏水了 @网格通', '网格通'), '3号楼漏水了')
  assert.equal(withoutMention('@王阿姨\u2005你好', '网格通'), '@王阿姨\u2005你好')
})

test('a quoted reply reaches gridbot whole: the quoted words carry the ticket a worker accepts', async () => {
  const quoted = '「网格通：已登记工单 261130-004，网格员会尽快处理」\n- - - - - - - - - - - - - - -\n受理'
  const body = await bridgeBody(fakeMessage({ text: quoted }), TYPES, '网格通')
  assert.equal(body.text, quoted)
})

test('a text in a room becomes the bridge body; the bot\'s own lines, transfers and red envelopes do not', async () => {
  const body = await bridgeBody(fakeMessage({ text: '@网格通\u2005井盖丢了', mention: true }), TYPES, '网格通')
  assert.deepEqual({ ...body, msg_id: undefined }, {
    msg_id: undefined, chat_id: 'r1@chatroom', user_id: 'wxid_res', user_name: '居民甲', text: '井盖丢了', at: true,
  })
  const privately = await bridgeBody(fakeMessage({ text: '帮助', room: null, mention: true }), TYPES, '网格通')
  assert.equal(privately.chat_id, null)
  assert.equal(privately.at, false)
  assert.equal(await bridgeBody(fakeMessage({ text: '收到', self: true }), TYPES, '网格通'), null)
  for (const type of [TYPES.Transfer, TYPES.RedEnvelope, TYPES.Unknown]) {
    assert.equal(await bridgeBody(fakeMessage({ type }), TYPES, '网格通'), null)
  }
  const photo = await bridgeBody(fakeMessage({ type: TYPES.Image }), TYPES, '网格通', silent)
  assert.equal(photo.kind, 'image')
  assert.equal(photo.text, '')
  assert.equal((await bridgeBody(fakeMessage({ type: TYPES.Audio }), TYPES, '')).kind, 'voice')
})

test('a recall names the message taken back; a system line of the group goes as its words', async () => {
  const recall = await bridgeBody(fakeMessage({ type: TYPES.Recalled, text: 'wx-original-42' }), TYPES, '网格通')
  assert.deepEqual({ ...recall, msg_id: undefined }, {
    msg_id: undefined, chat_id: 'r1@chatroom', user_id: 'wxid_res', user_name: '居民甲', text: null, at: false,
    kind: 'recall', recalls: 'wx-original-42',
  })
  assert.equal(await bridgeBody(fakeMessage({ type: TYPES.Recalled, text: '' }), TYPES, '网格通'), null)
  const note = await bridgeBody(fakeMessage({ type: TYPES.GroupNote, text: '"居民甲"邀请"居民乙"加入了群聊' }), TYPES, '网格通')
  assert.equal(note.text, '"居民甲"邀请"居民乙"加入了群聊')
  assert.equal(note.kind, undefined)
  assert.equal(note.at, false)
})

test('a photo carries its bytes in media; a sticker, an unfetchable photo or one over 10 MB only the kind', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
  const file = { name: 'IMG_2031.png', mediaType: 'image/png', toBase64: async () => png.toString('base64') }
  const photo = await bridgeBody(fakeMessage({ type: TYPES.Image, file }), TYPES, '网格通', silent)
  assert.equal(photo.kind, 'image')
  assert.deepEqual(photo.media, { data_base64: png.toString('base64'), mime: 'image/png', name: 'IMG_2031.png' })
  const sticker = await bridgeBody(fakeMessage({ type: TYPES.Emoticon, file }), TYPES, '网格通', silent)
  assert.equal(sticker.kind, 'image')
  assert.equal(sticker.media, undefined)
  const lost = await bridgeBody(fakeMessage({ type: TYPES.Image }), TYPES, '网格通', silent)
  assert.equal(lost.kind, 'image')
  assert.equal(lost.media, undefined)
  const huge = { ...file, toBase64: async () => 'A'.repeat(MAX_PICTURE_BASE64 + 4) }
  assert.equal((await bridgeBody(fakeMessage({ type: TYPES.Image, file: huge }), TYPES, '网格通', silent)).media,
    undefined)
})

test("gridbot's pictures are taken from media_list, else media, well-formed ones only", () => {
  const a = { data_base64: 'iVBORw0K', mime: 'image/png', name: 'a.png' }
  const b = { data_base64: '/9j/4AAQ', mime: 'image/jpeg', name: 'b.jpg' }
  assert.deepEqual(pictures({ text: 'x', media: a, media_list: [a, b] }), [a, b])
  assert.deepEqual(pictures({ text: 'x', media: b }), [b])
  assert.deepEqual(pictures({ text: 'x' }), [])
  assert.deepEqual(pictures({ text: 'x', media_list: [{ data_base64: '' }, null, a] }), [a])
})

async function server (answers) {
  const seen = []
  const srv = http.createServer((req, res) => {
    const chunks = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks) })
      const status = answers.length ? answers.shift() : 200
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise(resolve => srv.listen(0, '127.0.0.1', resolve))
  return { srv, seen, url: `http://127.0.0.1:${srv.address().port}/bridge/messages` }
}

const until = async (check, ms = 5000) => {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error('timed out')
}

test('the queue retries 5xx and 429 with the same msg_id, signed, and drops a final 4xx', async () => {
  const { srv, seen, url } = await server([503, 429, 200, 400])
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-')), 'q.jsonl')
  const outbox = new Outbox({ url, secret: 's', file, minDelay: 10, maxDelay: 40, log: silent })
  outbox.push({ msg_id: 'm1', text: 'a' })
  outbox.push({ msg_id: 'm1', text: 'a' }) // the same message twice is queued once
  await until(() => outbox.delivered === 1)
  outbox.push({ msg_id: 'm2', text: 'b' })
  await until(() => outbox.pending.length === 0 && seen.length === 4)
  assert.deepEqual(seen.map(s => JSON.parse(s.body).msg_id), ['m1', 'm1', 'm1', 'm2'])
  for (const s of seen) assert.equal(s.headers['x-gridbot-signature'], sign('s', s.body))
  assert.equal(outbox.delivered, 1) // m2 was refused for good
  assert.equal(fs.readFileSync(file, 'utf8'), '')
  outbox.stop()
  srv.close()
})

test('what was not delivered is kept on disk and sent after a restart', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-')), 'q.jsonl')
  const down = new Outbox({ url: 'http://127.0.0.1:9/bridge/messages', secret: 's', file, minDelay: 10000, log: silent })
  down.push({ msg_id: 'kept', text: '路灯坏了' })
  await until(() => !down.sending && down.pending.length === 1)
  down.stop()
  const { srv, seen, url } = await server([])
  const after = new Outbox({ url, secret: 's', file, minDelay: 10, log: silent })
  assert.equal(after.pending.length, 1)
  after.kick(0)
  await until(() => after.delivered === 1)
  assert.equal(JSON.parse(seen[0].body).msg_id, 'kept')
  after.stop()
  srv.close()
})
