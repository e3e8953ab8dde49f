// The gateway: WeChat messages (groups and private) → gridbot's POST /bridge/messages, and gridbot's
// outbound posts (POST /gridbot/outbound, signed) → the right room or contact.

import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

import { FileBox } from 'file-box'

import { bridgeBody, verify } from './bridge.js'
import { Outbox } from './queue.js'

const MAX_BODY = 16 * 1024 * 1024 // gridbot's posts carry pictures (private messages) in base64
const TEXT_LIMIT = 4000 // characters gridbot takes in `text`
const SEEN_LIMIT = 10000 // outbound ids remembered (delivery is at least once: repeats are dropped)

export class Gateway {
  /**
   * @param {object} o
   * @param {import('wechaty').Wechaty} o.wechaty  a Wechaty built with the puppet of your choice
   * @param {object} o.types       wechaty's `types` (for the message type enum)
   * @param {string} o.botUrl      gridbot's base URL, e.g. http://127.0.0.1:8080
   * @param {string} o.secret      [bridge] secret
   * @param {string} o.stateDir    where the pending queue and delivered ids are kept
   * @param {string} [o.host]      where gridbot's outbound posts are received
   * @param {number} [o.port]
   * @param {string} [o.path]      [bridge] outbound_url's path
   */
  constructor ({ wechaty, types, botUrl, secret, stateDir, host = '127.0.0.1', port = 8788,
    path: route = '/gridbot/outbound', minDelay, maxDelay, log = console }) {
    Object.assign(this, { wechaty, types, secret, host, port, route, log })
    this.outbox = new Outbox({
      url: botUrl.replace(/\/$/, '') + '/bridge/messages', secret, file: path.join(stateDir, 'to-gridbot.jsonl'),
      minDelay, maxDelay, log,
    })
    this.seenFile = path.join(stateDir, 'delivered-ids.json')
    this.seen = new Set(fs.existsSync(this.seenFile) ? JSON.parse(fs.readFileSync(this.seenFile, 'utf8')) : [])
    this.server = null
  }

  async start () {
    this.wechaty.on('message', message => this.onMessage(message).catch(error =>
      this.log.error('message not forwarded:', error)))
    await this.listen()
    this.outbox.kick(0) // what was kept before a restart
  }

  async listen () {
    this.server = http.createServer((req, res) => this.onOutbound(req, res).catch(error => {
      this.log.error('outbound failed:', error)
      if (!res.headersSent) reply(res, 503, { ok: false, error: 'gateway error' })
    }))
    await new Promise(resolve => this.server.listen(this.port, this.host, resolve))
    this.port = this.server.address().port
  }

  /** Stop receiving gridbot's posts (gridbot keeps them in its outbox and retries). */
  async close () {
    if (!this.server) return
    await new Promise(resolve => this.server.close(resolve))
    this.server = null
  }

  async stop () {
    this.outbox.stop()
    await this.close()
  }

  async onMessage (message) {
    const selfName = this.wechaty.isLoggedIn ? this.wechaty.currentUser.name() : ''
    const body = await bridgeBody(message, this.types.Message, selfName, this.log)
    if (!body) return
    if (body.text) body.text = body.text.slice(0, TEXT_LIMIT)
    this.outbox.push(body)
  }

  async onOutbound (req, res) {
    if (req.method !== 'POST' || req.url.split('?')[0] !== this.route) return reply(res, 404, { ok: false })
    const chunks = []
    let size = 0
    for await (const chunk of req) {
      size += chunk.length
      if (size > MAX_BODY) return reply(res, 413, { ok: false, error: 'body too large' })
      chunks.push(chunk)
    }
    const raw = Buffer.concat(chunks)
    const problem = verify(this.secret, raw, req.headers)
    if (problem) return reply(res, 403, { ok: false, error: problem })
    let post
    try {
      post = JSON.parse(raw.toString('utf8'))
    } catch {
      return reply(res, 400, { ok: false, error: 'not JSON' })
    }
    if (typeof post.text !== 'string' || (!post.chat_id && !post.user_id)) {
      return reply(res, 400, { ok: false, error: 'text and chat_id or user_id are required' })
    }
    if (post.id != null && this.seen.has(String(post.id))) return reply(res, 200, { ok: true, duplicate: true })
    if (!this.wechaty.isLoggedIn) return reply(res, 503, { ok: false, error: 'WeChat not logged in' })
    const target = post.chat_id
      ? await this.wechaty.Room.find({ id: post.chat_id })
      : await this.wechaty.Contact.find({ id: post.user_id })
    if (!target) return reply(res, 422, { ok: false, error: `no such ${post.chat_id ? 'room' : 'contact'}` })
    await target.say(post.text)
    let unsent = 0 // a picture WeChat refuses is logged; the text went, so the post is not retried whole
    for (const picture of pictures(post)) {
      try {
        await target.say(FileBox.fromBase64(picture.data_base64, picture.name || 'photo.jpg'))
      } catch (error) {
        unsent += 1
        this.log.error('picture not sent:', error.message || error)
      }
    }
    if (post.id != null) this.remember(String(post.id))
    return reply(res, 200, { ok: true, duplicate: false, ...(unsent ? { media_unsent: unsent } : {}) })
  }

  remember (id) {
    this.seen.add(id)
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value)
    fs.writeFileSync(this.seenFile, JSON.stringify([...this.seen]))
  }
}

/** The pictures of gridbot's post (`media_list`, else `media`), well-formed ones only. */
export function pictures (post) {
  const list = Array.isArray(post.media_list) ? post.media_list : (post.media ? [post.media] : [])
  return list.filter(p => p && typeof p.data_base64 === 'string' && p.data_base64)
}

function reply (res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}
