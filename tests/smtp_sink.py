"""A tiny SMTP server on 127.0.0.1 that keeps every message it accepts, so a test counts
what really left Odoo (Python 3.11's ``smtpd`` is deprecated; this speaks just enough SMTP
for ``smtplib``)."""

import email
import email.policy
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 sink ESMTP")
        self.mail_from, self.rcpts = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "QUIT":
                self.reply("221 bye")
                return
            getattr(self, f"smtp_{verb.lower()}", self.smtp_unknown)(command)

    def smtp_unknown(self, command):
        self.reply("502 not implemented")

    def smtp_ehlo(self, command):
        self.wfile.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        self.wfile.flush()

    def smtp_helo(self, command):
        self.reply("250 sink")

    def smtp_mail(self, command):
        self.mail_from, self.rcpts = command[10:].split(" ")[0].strip("<>"), []
        self.reply("250 OK")

    def smtp_rcpt(self, command):
        self.rcpts.append(command[8:].split(" ")[0].strip("<>"))
        self.reply("250 OK")

    def smtp_data(self, command):
        self.reply("354 end with <CRLF>.<CRLF>")
        chunks = []
        while True:
            data = self.rfile.readline()
            if not data or data in (b".\r\n", b".\n"):
                break
            chunks.append(data[1:] if data.startswith(b"..") else data)
        self.server.sink.store(self.mail_from, self.rcpts, b"".join(chunks))
        self.reply("250 queued")

    def smtp_rset(self, command):
        self.mail_from, self.rcpts = None, []
        self.reply("250 OK")

    def smtp_noop(self, command):
        self.reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """``with SmtpSink() as sink:`` listens on ``sink.port``; ``sink.messages`` holds
    ``(from, [rcpt], email.message.EmailMessage)`` of every accepted message."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def store(self, mail_from, rcpts, raw):
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.messages.append((mail_from, list(rcpts), message))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def clear(self):
        with self._lock:
            self.messages.clear()
