// Messages on their way to gridbot: kept in a file until gridbot answers 2xx, retried with back-off
// while it is down (network errors, 5xx, 408, 425, 429), dropped only on a final 4xx (logged). The
// same msg_id is sent again on every retry, so gridbot records each message once.

import fs from 'node:fs'
import path from 'node:path'

import { signedHeaders } from './bridge.js'

const RETRYABLE = new Set([408, 425, 429])

export class Outbox {
  /**
   * @param {object} o
   * @param {string} o.url       gridbot's POST /bridge/messages
   * @param {string} o.secret    [bridge] secret
   * @param {string} o.file      where pending messages are kept (JSON lines)
   * @param {number} [o.minDelay] first back-off, ms
   * @param {number} [o.maxDelay] back-off cap, ms
   * @param {number} [o.timeout]  per request, ms
   */
  constructor ({ url, secret, file, minDelay = 1000, maxDelay = 30000, timeout = 10000, log = console }) {
    Object.assign(this, { url, secret, file, minDelay, maxDelay, timeout, log })
    this.pending = []
    this.delay = minDelay
    this.timer = null
    this.sending = false
    this.stopped = false
    this.delivered = 0
    fs.mkdirSync(path.dirname(file), { recursive: true })
    if (fs.existsSync(file)) { // what was not delivered before a restart
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (line.trim()) this.pending.push(JSON.parse(line))
      }
    }
  }

  /** Keep `body` (on disk first), then try to send. */
  push (body) {
    if (this.pending.some(p => p.msg_id === body.msg_id)) return
    this.pending.push(body)
    this.save()
    this.kick(0)
  }

  save () {
    const tmp = this.file + '.tmp'
    fs.writeFileSync(tmp, this.pending.map(p => JSON.stringify(p) + '\n').join(''))
    fs.renameSync(tmp, this.file)
  }

  kick (after) {
    if (this.stopped || this.timer || this.sending) return
    this.timer = setTimeout(() => { this.timer = null; this.flush() }, after)
  }

  async flush () {
    this.sending = true
    try {
      while (this.pending.length && !this.stopped) {
        const outcome = await this.post(this.pending[0])
        if (outcome === 'retry') {
          this.log.warn(`gridbot unreachable; ${this.pending.length} message(s) kept, next try in ${this.delay / 1000} s`)
          break
        }
        this.pending.shift()
        this.save()
        this.delay = this.minDelay
        if (outcome === 'sent') this.delivered += 1
      }
    } finally {
      this.sending = false
    }
    if (this.pending.length) {
      const wait = this.delay
      this.delay = Math.min(this.delay * 2, this.maxDelay)
      this.kick(wait)
    }
  }

  /** One attempt: 'sent', 'retry' or 'dropped' (a final refusal). */
  async post (body) {
    const raw = Buffer.from(JSON.stringify(body), 'utf8')
    let response
    try {
      response = await fetch(this.url, {
        method: 'POST', body: raw, headers: signedHeaders(this.secret, raw), signal: AbortSignal.timeout(this.timeout),
      })
    } catch (error) {
      return 'retry'
    }
    if (response.ok) return 'sent'
    if (response.status >= 500 || RETRYABLE.has(response.status)) return 'retry'
    this.log.error(`gridbot refused message ${body.msg_id}: HTTP ${response.status} ${await response.text()}`)
    return 'dropped'
  }

  stop () {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
