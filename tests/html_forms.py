"""Read a form out of a page and post what a browser would post, so tests submit the real form.

Tests that build the POST data by hand post what they think the form holds; a form that grows
past Django's field limit, or renames a field, passes them and fails in the browser.
"""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """Collects the successful controls of one form (by id), as a browser submits them."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _belongs(self, attrs: dict) -> bool:
        owner = attrs.get("form")
        return owner == self.form_id if owner is not None else self.inside

    def handle_starttag(self, tag, attrs):
        attrs = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        elif tag == "input" and self._belongs(attrs) and "disabled" not in attrs:
            self._input(attrs)
        elif tag == "select" and self._belongs(attrs) and "disabled" not in attrs:
            self._select, self._options = attrs.get("name", ""), []
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs}
            self._text = []
        elif tag == "textarea" and self._belongs(attrs) and "disabled" not in attrs:
            self._textarea, self._text = attrs.get("name", ""), []

    def _input(self, attrs: dict) -> None:
        kind = attrs.get("type", "text").lower()
        name = attrs.get("name")
        if not name or kind in ("submit", "button", "image", "reset", "file"):
            return
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        default = "on" if kind in ("checkbox", "radio") else ""
        self.fields.append((name, attrs.get("value", default)))

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._option is not None:
            value = self._option["value"]
            text = "".join(self._text).strip()
            self._options.append((text if value is None else value, self._option["selected"]))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not self._multiple:  # a single select sends its first option
                chosen = [v for v, _ in self._options[:1]]
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that may follow <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would submit from the form ``form_id``."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def as_post_data(fields: list[tuple[str, str]], **changes) -> dict[str, list[str]]:
    """The pairs as the test client's POST data, with some fields set to new values."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data
