"""aiosmtpd handler for bench/notify: discards what it receives, as aiosmtpd.handlers.Sink does, but keeps the first
mail's bytes in a file, so that the reference (smtplib) can send the very mail Notify sent.

    python3 -m aiosmtpd -n -l HOST:PORT -c smtp_sink.KeepFirst PATH   (with bench/support on PYTHONPATH)
"""


class KeepFirst:
    def __init__(self, path):
        self.path = path
        self.kept = False

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("KeepFirst takes the file to keep the first mail in")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        if not self.kept:
            with open(self.path, "wb") as kept:
                kept.write(envelope.original_content)
            self.kept = True
        return "250 OK"
