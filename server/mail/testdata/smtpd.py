"""Test SMTP server: aiosmtpd on 127.0.0.1:PORT writing each message to DIR.

usage: smtpd.py PORT DIR [CERT KEY|-] [USER PASSWORD]
"""
import os, signal, ssl, sys, threading, uuid
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

port, out = int(sys.argv[1]), sys.argv[2]
cert = sys.argv[3] if len(sys.argv) > 4 and sys.argv[3] != "-" else None
key = sys.argv[4] if cert else None
user = sys.argv[5] if len(sys.argv) > 6 else None
password = sys.argv[6] if user else None

class Handler:
    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(out, uuid.uuid4().hex)
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.content)
        os.rename(name + ".tmp", name + ".eml")
        return "250 OK"

def auth(server, session, envelope, mechanism, data):
    ok = data is not None and data.login == user.encode() and data.password == password.encode()
    return AuthResult(success=ok)

kw = {}
if cert:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    kw["tls_context"] = ctx
if user:
    kw["authenticator"] = auth
    kw["auth_require_tls"] = bool(cert)
c = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)
c.start()
print("READY", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
stop.wait()
c.stop()
