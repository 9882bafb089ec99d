"""What an error report (the admins' e-mail, Django's debug page) may carry of a request.

Forms here carry national IDs, names, addresses and health notes (PDPA), so every POST value is
hidden, not only the ones a view marks sensitive; the keys stay, to tell which form it was.
Cookies (the session) are hidden too.
"""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter


class RedactingFilter(SafeExceptionReporterFilter):
    def is_active(self, request):
        # Also in DEBUG: a developer's copy of production data is still personal data.
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        post = request.POST.copy()
        for key in post:
            post[key] = self.cleansed_substitute
        return post

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("HTTP_COOKIE", "QUERY_STRING"):
            if key in meta:
                meta[key] = self.cleansed_substitute
        return meta

    def get_traceback_frame_variables(self, request, tb_frame):
        # Local variables hold the records being worked on: names, IDs, assessments.
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class RedactingReporter(ExceptionReporter):
    """Django's report with the query string's values hidden (searches carry names and IDs)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = [
                (key, self.filter.cleansed_substitute) for key in self.request.GET
            ]
        return data
