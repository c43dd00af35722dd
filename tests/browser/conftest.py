import pytest


@pytest.fixture(autouse=True)
def _fail_on_csp_violations(request):
    """Any Content-Security-Policy violation in any page of a browser test fails the test."""
    if "page" not in request.fixturenames and "browser" not in request.fixturenames:
        yield
        return
    violations = []
    browser = request.getfixturevalue("browser")

    def watch(page):
        page.on(
            "console",
            lambda msg: (
                violations.append(msg.text)
                if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
                else None
            ),
        )

    for context in browser.contexts:
        context.on("page", watch)
        for page in context.pages:
            watch(page)
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        context.on("page", watch)
        return context

    browser.new_context = new_context
    yield
    browser.new_context = original
    assert not violations, f"CSP violations: {violations}"
