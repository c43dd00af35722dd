"""The 400 page: a multipart body Django's parser refuses is explained, not left bare."""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request

from core.uploads import MAX_NAME_CHARS


@requires_csrf_token
def bad_request(request, exception):
    # A part header over the parser's limit: from a browser, only a file's long name does that.
    if not isinstance(exception, MultiPartParserError) or "header size" not in str(exception):
        return django_bad_request(request, exception)
    context = {"file_name_too_long": True, "max_name_chars": MAX_NAME_CHARS, "back": _back(request)}
    return HttpResponseBadRequest(loader.render_to_string("400.html", context, request))


def _back(request):
    """The page the form was on, if it is ours (the body is lost; the browser may keep it)."""
    referer = request.headers.get("referer", "")
    try:
        hosts = {request.get_host()}
    except DisallowedHost:
        return ""
    if url_has_allowed_host_and_scheme(referer, hosts, require_https=request.is_secure()):
        return referer
    return ""
