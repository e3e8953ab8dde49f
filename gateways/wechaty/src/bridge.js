// The gridbot bridge contract (docs/channels.md, "The bridge contract"): signing both ways, and a
// WeChat message turned into the JSON gridbot takes at POST /bridge/messages.

import crypto from 'node:crypto'

export const WINDOW_SECONDS = 300 // a signed request older or newer than this is refused

/** `sha256=` + hex HMAC-SHA256 of the raw body bytes under the shared secret. */
export function sign (secret, body) {
  return 'sha256=' + crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')
}

/** The headers of a signed request carrying `body` (a Buffer or string) at `now` (unix seconds). */
export function signedHeaders (secret, body, now = Math.floor(Date.now() / 1000)) {
  return {
    'Content-Type': 'application/json',
    'X-Gridbot-Timestamp': String(now),
    'X-Gridbot-Signature': sign(secret, body),
  }
}

/** Whether a request from gridbot is authentic and fresh; the reason when it is not. */
export function verify (secret, body, headers, now = Math.floor(Date.now() / 1000)) {
  const ts = Number(headers['x-gridbot-timestamp'])
  if (!Number.isInteger(ts)) return 'timestamp missing'
  if (Math.abs(now - ts) > WINDOW_SECONDS) return 'timestamp outside the window'
  const given = Buffer.from(String(headers['x-gridbot-signature'] || ''), 'utf8')
  const expected = Buffer.from(sign(secret, body), 'utf8')
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'bad signature'
  return null
}

// WeChat puts U+2005 (four-per-em space) after an @name. A quoted reply (「name：quoted text」, a
// line of "- - -", the reply) is passed on whole: gridbot reads the shape itself (bot/nlp/shape.py),
// acts on the new words only and takes a ticket number from the quoted words (受理 under the bot's
// own message about a ticket).
const KINDS = {
  Image: 'image', Audio: 'voice', Video: 'video', Attachment: 'file',
  Location: 'location', Url: 'link', MiniProgram: 'link', ChatHistory: 'link', Emoticon: 'image',
}

// gridbot takes a picture up to 10 MB in `media.data_base64` (the body up to 16 MiB): base64 of more is left out
export const MAX_PICTURE_BASE64 = Math.ceil(10 * 1024 * 1024 / 3) * 4

/** A photo's bytes as the contract's `media` ({data_base64, mime, name}); null when it cannot be had. */
export async function pictureOf (message, log = console) {
  try {
    const box = await message.toFileBox()
    const data = await box.toBase64()
    if (!data || data.length > MAX_PICTURE_BASE64) return null
    return { data_base64: data, mime: box.mediaType || 'image/jpeg', name: box.name || 'photo.jpg' }
  } catch (error) {
    log.warn('picture not fetched from WeChat; passed on as a kind only:', error.message || error)
    return null
  }
}

/** Text without @-mentions of the bot's own name (each ends with U+2005, or the text). */
export function withoutMention (text, name) {
  if (!name) return text.trim()
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return text.replace(new RegExp(`@${escaped}(?:\\u2005|\\s|$)`, 'gu'), ' ').replace(/ {2,}/gu, ' ').trim()
}

/**
 * A wechaty Message → the bridge body, or null for what the contract does not carry: the bot's own
 * messages, transfers, red envelopes, cards, unknown types. A recall is passed on as `kind: "recall"`
 * with `recalls` = the msg_id of the message taken back (wechaty gives it as the recall's text); a
 * system line of the group (GroupNote: joins, renames, pats …) as its text, which gridbot reads as a
 * system line (recorded, never answered). A photo carries its bytes in `media` (data_base64, mime,
 * name). `types` is wechaty's `types.Message` enum.
 */
export async function bridgeBody (message, types, selfName, log = console) {
  if (message.self()) return null
  const type = message.type()
  const room = message.room()
  const talker = message.talker()
  const body = {
    msg_id: message.id,
    chat_id: room ? room.id : null,
    user_id: talker.id,
    user_name: talker.name() || null,
    text: '',
    at: false,
  }
  if (type === types.Recalled) {
    const recalled = message.text()
    if (!recalled) return null
    return { ...body, text: null, kind: 'recall', recalls: recalled }
  }
  if (type === types.GroupNote) {
    body.text = message.text().trim()
    return body.text ? body : null
  }
  body.at = room ? await message.mentionSelf() : false
  if (type === types.Text) {
    body.text = withoutMention(message.text(), selfName)
    if (!body.text) return null
    return body
  }
  const name = Object.keys(KINDS).find(key => types[key] === type)
  if (!name) return null // Transfer, RedEnvelope, Contact, Post, Unknown
  body.kind = KINDS[name]
  if (type === types.Image) { // the photo itself (a sticker stays a kind): gridbot keeps it with the ticket
    const media = await pictureOf(message, log)
    if (media) body.media = media
  }
  return body
}
