"""WeCom web login for staff (OAuth2): the browser goes to WeCom (a QR code to scan on a desktop,
the silent `snsapi_base` authorisation inside the WeCom app), comes back with a one-time `code`,
and `auth/getuserinfo` turns the code into the member's userid, which must be a roster person.

The `state` parameter is an HMAC of the browser's pre-session cookie, so a code obtained for one
browser cannot be replayed into another (login CSRF)."""

from __future__ import annotations

from urllib.parse import urlencode

from bot.config import Settings
from bot.transport.wecom_api import HttpClient, TokenSource, WeComApi, WeComApiError

SSO_URL = "https://login.work.weixin.qq.com/wwlogin/sso/login"  # 扫码登录 (desktop browsers)
OAUTH_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"  # inside the WeCom app
USERINFO_PATH = "/cgi-bin/auth/getuserinfo"
CALLBACK_PATH = "/console/login/wecom/callback"


def wecom_api_for(settings: Settings) -> WeComApi | None:
    """The WeCom app's API when web login is on and the app can call WeCom (corp_id, agent_id and
    secret set); None otherwise."""
    wecom = settings.wecom
    if not (settings.console.wecom_login and wecom.corp_id and wecom.agent_id and wecom.secret
            and wecom.secret.get_secret_value()):
        return None
    return WeComApi(wecom.api_base, TokenSource.wecom(wecom.corp_id, wecom.secret.get_secret_value()),
                    http=HttpClient(), max_attempts=2)


def authorize_url(settings: Settings, *, redirect_uri: str, state: str, in_wecom_app: bool) -> str:
    wecom = settings.wecom
    if in_wecom_app:
        query = {"appid": wecom.corp_id, "redirect_uri": redirect_uri, "response_type": "code",
                 "scope": "snsapi_base", "state": state, "agentid": str(wecom.agent_id)}
        return f"{OAUTH_URL}?{urlencode(query)}#wechat_redirect"
    query = {"login_type": "CorpApp", "appid": wecom.corp_id, "agentid": str(wecom.agent_id),
             "redirect_uri": redirect_uri, "state": state}
    return f"{SSO_URL}?{urlencode(query)}"


class WeComLoginError(Exception):
    """The code could not be turned into a member of the corp (expired, used, or not a member)."""


async def userid_for(api: WeComApi, code: str) -> str:
    """The WeCom userid behind a login code. Non-members (an `openid` answer) are refused."""
    try:
        answer = await api.get(USERINFO_PATH, {"code": code})
    except WeComApiError as exc:
        raise WeComLoginError(str(exc)) from None
    userid = str(answer.get("userid") or answer.get("UserId") or "")
    if not userid:
        raise WeComLoginError("not a member of the corp")
    return userid
