"""One family of errors a user can cause; the CLI turns each into one line and exit 1."""


class QuizkitError(Exception):
    """Something the user can fix: the message is the whole story, no traceback."""


class BankError(QuizkitError):
    """A bank that breaks the format; carries the file and line it points at, and where the bank came from
    (`origin`: an installed package's name, "shipped", or "" for a path given)."""

    origin = ""

    def __init__(self, path: object, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class RunnerError(QuizkitError):
    """The torch worker could not be started or asked for (e.g. --device cuda without a GPU)."""


class StoreError(QuizkitError):
    """The progress database cannot be opened or written."""
