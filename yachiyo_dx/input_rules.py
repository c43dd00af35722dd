"""Characters nobody can see never reach a form: zero-width spaces and joiners, the soft hyphen,
the byte-order mark and the bidirectional controls are removed from every posted text value,
in one place, before any view or the admin reads it.

So a required field filled with invisible characters only is empty (and refused as such), and
an override character cannot make a title read backwards on someone else's screen. Files and
passwords are not touched; emoji joined by U+200D lose the joiner (shown side by side).
"""

INVISIBLE = str.maketrans(
    "",
    "",
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff",
)
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def visible(text: str) -> str:
    return text.translate(INVISIBLE)


class VisibleInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in FORMS:
            cleaned = request.POST.copy()
            for key in cleaned:
                # A password is what it is: it must match the one set elsewhere (manage.py).
                if "password" not in key:
                    cleaned.setlist(key, [visible(v) for v in cleaned.getlist(key)])
            cleaned._mutable = False
            request.POST = cleaned
        return self.get_response(request)
