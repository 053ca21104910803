"""The secret values the probe knows, handed to the runner in the answer's `secrets` field (the
private answer channel, and nothing else) so that the guard can hide them wherever it prints.

Secrets are SECRET_KEY and SECRET_KEY_FALLBACKS, and the passwords of DATABASES and CACHES:
a PASSWORD key at any depth of an entry (OPTIONS included) and the password of a URL-valued
LOCATION. Database names, users, hosts and cache locations are not secrets: an app's name often
reappears in them, and hiding them would hide the app's own host.

Nothing here changes what the rules judge: the probe reports raw values.
"""

from urllib.parse import unquote

SECRET_KEY_SETTINGS = ("SECRET_KEY", "SECRET_KEY_FALLBACKS")
CONNECTION_SETTINGS = ("DATABASES", "CACHES")
PASSWORD_KEYS = frozenset({"password", "passwd"})


def settings_secrets(namespace):
    """The secrets among the settings in `namespace` (a settings object's or a settings
    module's globals)."""
    found = set()
    for name in SECRET_KEY_SETTINGS:
        if name in namespace:
            _every_string(namespace[name], found)
    for name in CONNECTION_SETTINGS:
        connections = namespace.get(name)
        if isinstance(connections, dict):
            for entry in connections.values():
                _passwords(entry, found)
    found.discard("")
    return found


def _every_string(value, found):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _every_string(item, found)
    elif value is not None and not isinstance(value, (bool, int, float, dict)):
        found.add(str(value))


def _passwords(entry, found):
    if not isinstance(entry, dict):
        return
    for key, value in entry.items():
        if isinstance(key, str) and key.lower() in PASSWORD_KEYS:
            _every_string(value, found)
        elif key == "LOCATION":
            locations = value if isinstance(value, (list, tuple)) else [value]
            for location in locations:
                found.update(url_passwords(location))
        elif isinstance(value, dict):
            _passwords(value, found)


def url_passwords(value):
    """The password of a `scheme://user:password@host` URL, as written and percent-decoded. Read
    by hand, not with urlsplit, which gives up on a password holding `#` or `/`."""
    if not isinstance(value, str) or "://" not in value:
        return set()
    userinfo, at, _ = value.split("://", 1)[1].rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not (at and colon and password) or "/" in user:
        return set()
    return {password, unquote(password)}


class SecretCollector:
    """Gathers the secrets of the settings as the probe loads them."""

    def __init__(self):
        self.found = set()

    def learn_settings(self, settings):
        """SECRET_KEY, its fallbacks and the connection passwords of loaded settings."""
        wrapped = getattr(settings, "_wrapped", None)
        if wrapped is None or not hasattr(wrapped, "SETTINGS_MODULE"):
            return  # settings never loaded: nothing to learn
        self.found |= settings_secrets(vars(wrapped))

    def learn_traceback(self, error):
        """The secrets of every module whose import the error interrupted: a settings module
        that raises halfway never reaches Django, but its globals survive in the traceback."""
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_name == "<module>":
                self.found |= settings_secrets(tb.tb_frame.f_globals)
            tb = tb.tb_next

    def scrub(self, text):
        """For the probe's own lines on stderr, which the guard shows only when the probe dies
        before answering, and so before it could hand the secrets over."""
        for secret in sorted(self.found, key=len, reverse=True):
            text = text.replace(secret, "[redacted]")
        return text

    def as_list(self):
        return sorted(self.found)
